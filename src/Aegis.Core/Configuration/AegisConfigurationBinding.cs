using Microsoft.Extensions.Configuration;

namespace Aegis;

/// <summary>Binds <see cref="AegisOptions"/> from configuration (the <c>Aegis</c> section or a root containing it).</summary>
internal static class AegisConfigurationBinding
{
    public static void BindInto(IConfiguration configuration, AegisOptions options)
    {
        var section = configuration is IConfigurationSection s && string.Equals(s.Key, AegisOptions.SectionName, StringComparison.OrdinalIgnoreCase)
            ? configuration
            : configuration.GetSection(AegisOptions.SectionName);
        section.Bind(options);
    }
}
