namespace Aegis.Configuration;

/// <summary>
/// Key paths as reported in <c>AEG-CFG</c> details: dotted, lower-case, relative to the Aegis
/// section, with <c>[i]</c> for list indices (for example <c>routes.default.fallback[0]</c>).
/// </summary>
internal static class ConfigPath
{
    /// <summary>Appends a key to <paramref name="parent"/>.</summary>
    public static string Key(string parent, string key)
    {
        var segment = key.Replace(':', '.').ToLowerInvariant();
        return parent.Length == 0 ? segment : parent + "." + segment;
    }

    /// <summary>Appends a list index to <paramref name="parent"/>.</summary>
    public static string Index(string parent, int index) => parent + "[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";

    /// <summary>The path shown for the section itself.</summary>
    public static string Display(string path) => path.Length == 0 ? AegisOptions.SectionName : path;

    /// <summary>
    /// Whether a key holds a secret whose value must never be shown: <c>api_key</c>,
    /// <c>encryption_key</c>, any key naming a key, secret, token or password, and anything under
    /// <c>settings</c>.
    /// </summary>
    public static bool IsSecret(string key, bool underSettings)
    {
        if (underSettings)
        {
            return true;
        }

        var k = key.ToLowerInvariant();
        return k.EndsWith("key", StringComparison.Ordinal)
            || k.Contains("secret", StringComparison.Ordinal)
            || k.Contains("token", StringComparison.Ordinal)
            || k.Contains("password", StringComparison.Ordinal);
    }
}
