using System.Text.RegularExpressions;
using Aegis.Configuration;
using Microsoft.Extensions.Configuration;

namespace Aegis;

/// <summary>
/// Binds <see cref="AegisOptions"/> from any <see cref="IConfiguration"/> (an <c>aegis.yaml</c> added
/// with <see cref="AegisYamlConfigurationExtensions.AddAegisYamlFile"/>, <c>appsettings.json</c>,
/// environment variables such as <c>AEGIS__ROUTES__DEFAULT__MODEL</c>) and refuses what it does not
/// understand: every key is checked against the options types before binding, so a misspelt key is
/// <c>AEG-CFG-002</c> and a value of the wrong type is <c>AEG-CFG-004</c>, each naming the key path.
/// </summary>
/// <remarks>
/// Which section is read: an <see cref="IConfigurationSection"/> is taken as the Aegis section itself
/// (so <c>config.GetSection("MyApp:Aegis")</c> works); anything else (a root) is read from its
/// <c>Aegis</c> section. Binding does not validate cross-references; run
/// <see cref="AegisOptionsValidator.Validate"/> after it.
/// </remarks>
public static partial class AegisOptionsBinder
{
    /// <summary>
    /// Binds the options, then resolves every <c>secret://env/NAME</c> reference from the process
    /// environment.
    /// </summary>
    /// <param name="sectionOrRoot">The Aegis section, or a configuration root that contains it.</param>
    /// <returns>New options.</returns>
    /// <exception cref="AegisException"><c>AEG-CFG-002</c>, <c>AEG-CFG-004</c> or <c>AEG-CFG-005</c>, naming the key path.</exception>
    public static AegisOptions Bind(IConfiguration sectionOrRoot) => Bind(sectionOrRoot, Environment.GetEnvironmentVariable);

    /// <summary>
    /// Binds the options, then resolves every <c>secret://env/NAME</c> reference through
    /// <paramref name="environment"/>.
    /// </summary>
    /// <param name="sectionOrRoot">The Aegis section, or a configuration root that contains it.</param>
    /// <param name="environment">Looks up an environment variable by name (tests pass a dictionary lookup).</param>
    /// <returns>New options.</returns>
    /// <exception cref="AegisException"><c>AEG-CFG-002</c>, <c>AEG-CFG-004</c> or <c>AEG-CFG-005</c>, naming the key path.</exception>
    public static AegisOptions Bind(IConfiguration sectionOrRoot, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return AegisSecrets.Resolve(BindUnresolved(sectionOrRoot), environment);
    }

    /// <summary>
    /// Binds the options and leaves <c>secret://</c> references as written: for showing or
    /// validating a configuration offline (<c>aegis config show|validate</c>).
    /// </summary>
    /// <param name="sectionOrRoot">The Aegis section, or a configuration root that contains it.</param>
    /// <returns>New options.</returns>
    /// <exception cref="AegisException"><c>AEG-CFG-002</c> or <c>AEG-CFG-004</c>, naming the key path.</exception>
    public static AegisOptions BindUnresolved(IConfiguration sectionOrRoot)
    {
        ArgumentNullException.ThrowIfNull(sectionOrRoot);
        var section = sectionOrRoot as IConfigurationSection ?? sectionOrRoot.GetSection(AegisOptions.SectionName);

        ConfigurationChecker.Check(section);

        var options = new AegisOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // The checker converts values exactly as the binder does, so this is a safety net. The
            // binder's message carries the raw value, so only the key path is kept.
            throw new AegisException(AegisErrors.ConfigInvalidValue, $"{PathFromBinderMessage(ex.Message, section.Path)}: not a valid value");
        }

        ConfigurationCompleter.Complete(section, options, OptionsSchema.Root);
        return options;
    }

    private static string PathFromBinderMessage(string message, string sectionPath)
    {
        var match = BinderPathRegex().Match(message);
        if (!match.Success)
        {
            return AegisOptions.SectionName;
        }

        var path = match.Groups["path"].Value;
        if (sectionPath.Length != 0 && path.StartsWith(sectionPath + ":", StringComparison.OrdinalIgnoreCase))
        {
            path = path[(sectionPath.Length + 1)..];
        }

        return ConfigPath.Key(string.Empty, path);
    }

    [GeneratedRegex(@" at '(?<path>[^']*)' to type '[^']*'\.?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex BinderPathRegex();
}
