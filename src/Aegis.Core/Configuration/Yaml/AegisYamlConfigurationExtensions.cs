using Aegis.Configuration;
using Microsoft.Extensions.Configuration;

namespace Aegis;

/// <summary>
/// Adds an <c>aegis.yaml</c> to an <see cref="IConfigurationBuilder"/>. The document's top-level keys
/// (<c>providers:</c>, <c>guardrails:</c>, ...) land under the <c>Aegis</c> section, so
/// <c>providers.openai.base_url</c> becomes <c>Aegis:providers:openai:base_url</c> and binds with
/// <see cref="AegisOptionsBinder"/> like <c>appsettings.json</c> or environment variables. A document
/// whose only top-level key is <c>Aegis</c> is read from inside it (not prefixed twice).
/// </summary>
public static class AegisYamlConfigurationExtensions
{
    /// <summary>Adds the YAML file at <paramref name="path"/> (relative paths resolve against the current directory).</summary>
    /// <param name="builder">The configuration builder.</param>
    /// <param name="path">The file, e.g. <c>aegis.yaml</c>.</param>
    /// <param name="optional">Whether a missing file is allowed (an empty configuration).</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Errors surface when the configuration is built: a missing non-optional file, an unreadable
    /// file, invalid YAML or a top level that is not a mapping are <c>AEG-CFG-001</c> with
    /// <c>path:line:column: what</c>.
    /// </remarks>
    public static IConfigurationBuilder AddAegisYamlFile(this IConfigurationBuilder builder, string path, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.Add(new AegisYamlConfigurationSource { Path = path, Optional = optional });
    }

    /// <summary>Adds YAML text (for tests and for configuration held elsewhere).</summary>
    /// <param name="builder">The configuration builder.</param>
    /// <param name="yaml">The YAML document.</param>
    /// <param name="name">The name used in error details in place of a file path.</param>
    /// <returns>The builder.</returns>
    public static IConfigurationBuilder AddAegisYaml(this IConfigurationBuilder builder, string yaml, string name = "inline")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return builder.Add(new AegisYamlConfigurationSource { Text = yaml, Name = name });
    }

    /// <summary>Adds YAML read from <paramref name="stream"/> (read once, now).</summary>
    /// <param name="builder">The configuration builder.</param>
    /// <param name="stream">The YAML document as UTF-8 (or with a byte-order mark).</param>
    /// <param name="name">The name used in error details in place of a file path.</param>
    /// <returns>The builder.</returns>
    public static IConfigurationBuilder AddAegisYaml(this IConfigurationBuilder builder, Stream stream, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, leaveOpen: true);
        return builder.AddAegisYaml(reader.ReadToEnd(), name);
    }
}
