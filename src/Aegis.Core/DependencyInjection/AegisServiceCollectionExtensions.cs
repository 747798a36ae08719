using Aegis;
using Aegis.Engine;
using Aegis.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Aegis engine in a service collection.</summary>
public static class AegisServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Aegis engine (<see cref="AegisEngine"/>), the built-in guardrail packs and provider
    /// types, in-memory stores (replace them with <c>.UseSqlite(path)</c>), and a hosted service that
    /// validates the configuration and compiles every route at start-up.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Builds the options in code.</param>
    public static AegisBuilder AddAegis(this IServiceCollection services, Action<AegisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = AddCore(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return builder;
    }

    /// <summary>
    /// Adds the Aegis engine with options bound from <paramref name="configuration"/>: either the
    /// <c>Aegis</c> section itself or a root that contains it (appsettings.json, environment variables
    /// <c>AEGIS__...</c>, or an <c>aegis.yaml</c> added with <c>AddAegisYamlFile</c>).
    /// </summary>
    public static AegisBuilder AddAegis(this IServiceCollection services, IConfiguration configuration, Action<AegisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = AddCore(services);
        services.AddSingleton<IConfigureOptions<AegisOptions>>(new ConfigureNamedOptions<AegisOptions>(Options.Options.DefaultName, o => AegisConfigurationBinding.BindInto(configuration, o)));
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return builder;
    }

    private static AegisBuilder AddCore(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(AegisBuilder) && descriptor.ImplementationInstance is AegisBuilder existing)
            {
                return existing;
            }
        }

        var registry = new AegisRegistry();
        var builder = new AegisBuilder(services, registry);
        services.AddSingleton(builder);
        services.AddOptions<AegisOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRunStore, InMemoryRunStore>();
        services.TryAddSingleton<IAuditLedger, InMemoryAuditLedger>();
        services.TryAddSingleton<IApiKeyStore, InMemoryApiKeyStore>();
        services.TryAddSingleton<IBudgetLedger, InMemoryBudgetLedger>();
        services.TryAddSingleton(sp => CreateEngine(sp, registry));
        services.AddHostedService<AegisBackgroundService>();
        BuiltIns.Register(builder);
        return builder;
    }

    private static AegisEngine CreateEngine(IServiceProvider services, AegisRegistry registry)
    {
        var options = services.GetRequiredService<IOptions<AegisOptions>>().Value;
        var routes = new PipelineCompiler(options, registry, services).Compile();
        return new AegisEngine(
            routes,
            services.GetRequiredService<IRunStore>(),
            services.GetRequiredService<IAuditLedger>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetService<ILogger<AegisEngine>>());
    }
}
