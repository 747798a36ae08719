using Microsoft.Extensions.Configuration;

namespace Aegis.Configuration;

/// <summary>Loads an <see cref="AegisYamlConfigurationSource"/> into configuration keys under <c>Aegis</c>.</summary>
internal sealed class AegisYamlConfigurationProvider(AegisYamlConfigurationSource source) : ConfigurationProvider
{
    /// <inheritdoc />
    public override void Load()
    {
        if (source.Path is null)
        {
            Data = YamlFlattener.Flatten(source.Text ?? string.Empty, source.Name);
            return;
        }

        var fullPath = System.IO.Path.GetFullPath(source.Path);
        if (!File.Exists(fullPath))
        {
            if (source.Optional)
            {
                Data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                return;
            }

            throw new AegisException(AegisErrors.ConfigInvalidFile, $"{source.Path}: file not found" + Resolved(fullPath));
        }

        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AegisException(AegisErrors.ConfigInvalidFile, $"{source.Path}: cannot be read ({ex.GetType().Name})" + Resolved(fullPath), ex);
        }

        Data = YamlFlattener.Flatten(text, source.Path);
    }

    /// <inheritdoc />
    public override string ToString() => $"{nameof(AegisYamlConfigurationProvider)} for '{source.Path ?? source.Name}'";

    private string Resolved(string fullPath) => string.Equals(fullPath, source.Path, StringComparison.Ordinal) ? string.Empty : $" (looked for {fullPath})";
}
