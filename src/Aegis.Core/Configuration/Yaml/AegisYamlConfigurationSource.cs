using Microsoft.Extensions.Configuration;

namespace Aegis.Configuration;

/// <summary>An <c>aegis.yaml</c> as a configuration source: a file, or inline text.</summary>
internal sealed class AegisYamlConfigurationSource : IConfigurationSource
{
    /// <summary>The file to read, when the source is a file.</summary>
    public string? Path { get; init; }

    /// <summary>Whether a missing file is an empty configuration rather than <c>AEG-CFG-001</c>.</summary>
    public bool Optional { get; init; }

    /// <summary>The YAML text, when the source is inline.</summary>
    public string? Text { get; init; }

    /// <summary>The name used in error details for inline text.</summary>
    public string Name { get; init; } = "inline";

    /// <inheritdoc />
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new AegisYamlConfigurationProvider(this);
}
