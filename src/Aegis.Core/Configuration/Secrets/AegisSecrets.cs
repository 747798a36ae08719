using Aegis.Configuration;

namespace Aegis;

/// <summary>
/// Secret references: any string option may be written as <c>secret://env/NAME</c> and is replaced
/// at load by the environment variable <c>NAME</c>. Errors name the key path and the variable, never
/// a value. <c>env</c> is the only scheme; others (<c>secret://vault/...</c>) are <c>AEG-CFG-005</c>.
/// </summary>
public static class AegisSecrets
{
    /// <summary>The prefix of a secret reference.</summary>
    public const string Prefix = "secret://";

    /// <summary>The scheme that reads an environment variable.</summary>
    public const string EnvironmentScheme = "env";

    /// <summary>Whether <paramref name="value"/> is a secret reference (<c>secret://...</c>).</summary>
    /// <param name="value">A configuration value.</param>
    /// <returns><see langword="true"/> when the value starts with <c>secret://</c> (case-insensitive).</returns>
    public static bool IsReference(string? value) => value is not null && value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Resolves one value: a reference is looked up, anything else is returned unchanged.</summary>
    /// <param name="value">The configured value.</param>
    /// <param name="keyPath">The key path, for the error detail (e.g. <c>providers.openai.api_key</c>).</param>
    /// <param name="environment">Looks up an environment variable; default <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <returns>The resolved value.</returns>
    /// <exception cref="AegisException"><c>AEG-CFG-005</c>: the variable is unset or empty, or the scheme is unknown.</exception>
    public static string Resolve(string value, string keyPath, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(keyPath);
        if (!IsReference(value))
        {
            return value;
        }

        var reference = value.AsSpan(Prefix.Length);
        var slash = reference.IndexOf('/');
        var scheme = slash < 0 ? reference : reference[..slash];
        var name = slash < 0 ? [] : reference[(slash + 1)..];

        if (!scheme.Equals(EnvironmentScheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new AegisException(AegisErrors.ConfigSecretUnresolved, $"{keyPath}: unknown secret scheme '{scheme}' (use secret://env/NAME)");
        }

        if (name.IsEmpty)
        {
            throw new AegisException(AegisErrors.ConfigSecretUnresolved, $"{keyPath}: the reference names no variable (use secret://env/NAME)");
        }

        var variable = name.ToString();
        var resolved = (environment ?? Environment.GetEnvironmentVariable)(variable);
        if (string.IsNullOrEmpty(resolved))
        {
            throw new AegisException(AegisErrors.ConfigSecretUnresolved, $"{keyPath}: environment variable '{variable}' is not set");
        }

        return resolved;
    }

    /// <summary>
    /// Returns a copy of <paramref name="options"/> with every secret reference resolved (provider
    /// <c>api_key</c>/<c>base_url</c>, <c>persistence.encryption_key</c>, guardrail <c>settings</c>
    /// values, and any other string). The input is not changed.
    /// </summary>
    /// <param name="options">Options as bound or built in code.</param>
    /// <param name="environment">Looks up an environment variable; default <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <returns>The resolved copy.</returns>
    /// <exception cref="AegisException"><c>AEG-CFG-005</c> for the first reference that cannot be resolved.</exception>
    public static AegisOptions Resolve(AegisOptions options, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OptionsWalker.Copy(options, slot => Resolve(slot.Value, slot.Path, environment));
    }

    /// <summary>
    /// Lists every reference of <paramref name="options"/> that cannot be resolved, as
    /// <c>AEG-CFG-005</c> errors (for <c>aegis config validate</c>); empty when all resolve.
    /// </summary>
    /// <param name="options">Options as bound or built in code.</param>
    /// <param name="environment">Looks up an environment variable; default <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <returns>The problems, in key order.</returns>
    public static IReadOnlyList<AegisException> FindUnresolved(AegisOptions options, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<AegisException>();
        _ = OptionsWalker.Copy(options, slot =>
        {
            try
            {
                _ = Resolve(slot.Value, slot.Path, environment);
            }
            catch (AegisException ex)
            {
                problems.Add(ex);
            }

            return slot.Value;
        });
        return problems;
    }
}
