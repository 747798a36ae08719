using Aegis.Configuration;

namespace Aegis;

/// <summary>Derived views of <see cref="AegisOptions"/>: the effective routes and a redacted copy.</summary>
public static class AegisOptionsExtensions
{
    /// <summary>The name of the route made when <c>routes</c> is empty.</summary>
    public const string DefaultRouteName = "default";

    /// <summary>What <see cref="Redacted"/> puts in place of a secret.</summary>
    public const string RedactedValue = "***";

    /// <summary>
    /// The routes as they run: when <c>routes</c> is empty, one route <c>default</c> on the first
    /// provider; a route without <c>provider</c> gets the only provider when there is exactly one;
    /// every route's pipeline is resolved per stage against the top-level <c>pipeline</c>
    /// (<see cref="PipelineOptions.Resolve"/>). Returns copies; the options are not changed.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <returns>Routes by name (case-insensitive), in configuration order.</returns>
    public static IReadOnlyDictionary<string, AegisRouteOptions> EffectiveRoutes(this AegisOptions options) => options.EffectiveRoutes(codeProviders: null);

    /// <summary>
    /// <see cref="EffectiveRoutes(AegisOptions)"/>, counting providers registered in code after the
    /// configured ones (for the default route and for a route that names no provider).
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="codeProviders">Names of providers registered in code, or <see langword="null"/>.</param>
    /// <returns>Routes by name (case-insensitive), in configuration order.</returns>
    /// <remarks>
    /// "First provider" is the first key of <c>providers</c> as enumerated. Configuration sources
    /// enumerate keys sorted (<c>IConfiguration</c> orders them case-insensitively, numbers
    /// numerically), not in file order; name the provider in a route when there are several.
    /// </remarks>
    public static IReadOnlyDictionary<string, AegisRouteOptions> EffectiveRoutes(this AegisOptions options, IEnumerable<string>? codeProviders)
    {
        ArgumentNullException.ThrowIfNull(options);
        var providers = new List<string>(options.Providers.Keys);
        if (codeProviders is not null)
        {
            foreach (var name in codeProviders)
            {
                if (!providers.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    providers.Add(name);
                }
            }
        }

        var routes = new Dictionary<string, AegisRouteOptions>(StringComparer.OrdinalIgnoreCase);
        if (options.Routes.Count == 0)
        {
            routes[DefaultRouteName] = new AegisRouteOptions
            {
                Provider = providers.Count > 0 ? providers[0] : null,
                Pipeline = PipelineOptions.Resolve(null, options.Pipeline),
            };
            return routes;
        }

        foreach (var (name, route) in options.Routes)
        {
            routes[name] = new AegisRouteOptions
            {
                Provider = route.Provider ?? (providers.Count == 1 ? providers[0] : null),
                Model = route.Model,
                Fallback = route.Fallback is null ? null : [.. route.Fallback],
                Pipeline = PipelineOptions.Resolve(route.Pipeline, options.Pipeline),
                Principals = route.Principals is null ? null : [.. route.Principals],
                Teams = route.Teams is null ? null : [.. route.Teams],
                Regions = route.Regions is null ? null : [.. route.Regions],
            };
        }

        return routes;
    }

    /// <summary>
    /// A deep copy for display (<c>aegis config show</c>): every <c>api_key</c>,
    /// <c>encryption_key</c> (any key naming a key, secret, token or password) and every
    /// <c>settings</c> value becomes <c>***</c>, and credentials inside a URL are hidden. A
    /// <c>secret://env/NAME</c> reference is kept as written: it names where the secret comes
    /// from, not the secret.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <returns>The redacted copy.</returns>
    public static AegisOptions Redacted(this AegisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OptionsWalker.Copy(options, slot =>
        {
            if (AegisSecrets.IsReference(slot.Value))
            {
                return slot.Value;
            }

            if (slot.IsSecret)
            {
                return RedactedValue;
            }

            return HideUrlCredentials(slot.Value);
        });
    }

    private static string HideUrlCredentials(string value)
    {
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0)
        {
            return value;
        }

        var authority = scheme + 3;
        var end = value.AsSpan(authority).IndexOfAny('/', '?', '#');
        var at = value.AsSpan(authority, end < 0 ? value.Length - authority : end).LastIndexOf('@');
        return at < 0 ? value : string.Concat(value.AsSpan(0, authority), RedactedValue, value.AsSpan(authority + at));
    }
}
