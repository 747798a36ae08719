using Microsoft.Extensions.Configuration;

namespace Aegis.Cli.Hosting;

/// <summary>
/// The tool's configuration, later sources winning: <c>appsettings.json</c> in the current directory
/// (optional), the YAML file (<c>--config</c>, else <c>aegis.yaml</c> when present), <c>AEGIS__...</c>
/// environment variables, then values set by command-line flags (such as <c>--db</c>).
/// </summary>
internal static class CliConfiguration
{
    /// <summary>The YAML file read when <c>--config</c> is not given and the file exists.</summary>
    public const string DefaultConfigFile = "aegis.yaml";

    /// <summary>The JSON file read from the current directory when it exists.</summary>
    public const string AppSettingsFile = "appsettings.json";

    /// <summary>The configuration key that <c>--db</c> overrides.</summary>
    public const string PersistencePathKey = "Aegis:Persistence:Path";

    /// <summary>Builds the configuration and loads every source.</summary>
    /// <param name="configPath">The <c>--config</c> value; a named file that does not exist is <c>AEG-CFG-001</c>.</param>
    /// <param name="flags">Values from command-line flags (configuration keys such as <see cref="PersistencePathKey"/>).</param>
    /// <exception cref="AegisException"><c>AEG-CFG-001</c> for a missing, unreadable or malformed file.</exception>
    public static CliConfigurationSources Build(string? configPath, IReadOnlyDictionary<string, string?>? flags = null)
    {
        var directory = Directory.GetCurrentDirectory();
        var files = new List<string>(2);
        var builder = new ConfigurationBuilder().SetBasePath(directory);
        if (File.Exists(Path.Combine(directory, AppSettingsFile)))
        {
            builder.AddJsonFile(AppSettingsFile, optional: true, reloadOnChange: false);
            files.Add(AppSettingsFile);
        }

        var yaml = configPath ?? (File.Exists(Path.Combine(directory, DefaultConfigFile)) ? DefaultConfigFile : null);
        if (yaml is not null)
        {
            builder.AddAegisYamlFile(yaml, optional: false);
            files.Add(yaml);
        }

        builder.AddEnvironmentVariables();
        if (flags is { Count: > 0 })
        {
            builder.AddInMemoryCollection(flags);
        }

        try
        {
            return new CliConfigurationSources(builder.Build(), files);
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // The JSON provider's message quotes the file's content around the error; only the file and position are kept.
            throw new AegisException(AegisErrors.ConfigInvalidFile, $"{AppSettingsFile}: not valid JSON ({FirstLine(ex.InnerException?.Message ?? ex.Message)})", ex);
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}

/// <summary>A loaded configuration and the files it was read from (for messages).</summary>
/// <param name="Configuration">The configuration root; the Aegis options are its <c>Aegis</c> section.</param>
/// <param name="Files">The files read, in precedence order (later wins).</param>
internal sealed record CliConfigurationSources(IConfigurationRoot Configuration, IReadOnlyList<string> Files)
{
    /// <summary>The files for a message, e.g. <c>files read: appsettings.json, aegis.yaml</c>, or a note that none was found.</summary>
    public string Describe() => Files.Count == 0 ? "no configuration file was found" : "files read: " + string.Join(", ", Files);
}
