using Aegis;
using Aegis.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the services behind <c>app.MapAegis()</c>.</summary>
public static class AegisHttpServiceCollectionExtensions
{
    /// <summary>
    /// Adds what <c>MapAegis()</c> needs: <see cref="AegisHttpOptions"/>, the <c>AegisKey</c> authentication
    /// scheme (<see cref="AegisKeyAuthenticationHandler"/>; it does not become the default scheme), and
    /// OpenTelemetry metrics for the <c>Aegis</c> meter with the Prometheus exporter behind <c>/metrics</c>.
    /// Call it beside <c>services.AddAegis(...)</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the HTTP options (auth mode, body limit, claim types).</param>
    public static IServiceCollection AddAegisHttp(this IServiceCollection services, Action<AegisHttpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<AegisHttpOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.MaxRequestBodyBytes > 0, "AegisHttpOptions.MaxRequestBodyBytes must be positive");
        if (services.Any(d => d.ServiceType == typeof(AegisHttpRuntime)))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AegisHttpRuntime>();
        services.TryAddSingleton<ApiKeyUsageTracker>();
        services.TryAddSingleton<ApiKeyAuthenticator>();
        services.AddAuthentication()
            .AddScheme<AegisKeyAuthenticationOptions, AegisKeyAuthenticationHandler>(AegisKeyDefaults.AuthenticationScheme, displayName: "Aegis API key", null);
        services.AddAuthorization();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(AegisTelemetry.Name)
            .AddPrometheusExporter());
        return services;
    }
}
