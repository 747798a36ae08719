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
        services.AddOptions<AegisOptions>().Configure(o => CopyInto(AegisOptionsBinder.Bind(configuration), o));
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
        AegisOptionsValidator.Validate(options, AegisValidationContext.FromCatalog(
            registry.Packs,
            registry.ProviderTypes.Keys,
            [.. registry.Guardrails.Keys, .. KeyedNames<IGuardrail>(services, GuardrailReferences(options))],
            [.. registry.Providers.Keys, .. KeyedNames<Microsoft.Extensions.AI.IChatClient>(services, ProviderReferences(options))]));
        EnsurePersistence(options, services);
        var routes = new PipelineCompiler(options, registry, services).Compile();
        return new AegisEngine(
            routes,
            services.GetRequiredService<IRunStore>(),
            services.GetRequiredService<IAuditLedger>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetService<ILogger<AegisEngine>>());
    }

    /// <summary>
    /// <c>persistence.type: sqlite</c> with the in-memory stores still registered means the host forgot
    /// <c>.UseSqlite()</c> (package Aegis.Storage.Sqlite): fail at start-up rather than silently keep
    /// runs and the audit ledger in memory.
    /// </summary>
    private static void EnsurePersistence(AegisOptions options, IServiceProvider services)
    {
        var type = options.Persistence.Type;
        if (type is null || string.Equals(type, "memory", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (services.GetRequiredService<IRunStore>() is InMemoryRunStore || services.GetRequiredService<IAuditLedger>() is InMemoryAuditLedger)
        {
            throw new AegisException(AegisErrors.ConfigPluginNotFound, $"persistence.type: '{type}' needs its storage package; add Aegis.Storage.Sqlite and call .UseSqlite() on AddAegis(...)");
        }
    }

    /// <summary>Names referenced by configuration that resolve to keyed services of <typeparamref name="T"/> (custom guardrails or providers registered with <c>AddKeyedSingleton</c>).</summary>
    private static IEnumerable<string> KeyedNames<T>(IServiceProvider services, IEnumerable<string> candidates)
    {
        if (services.GetService<IServiceProviderIsKeyedService>() is not { } keyed)
        {
            yield break;
        }

        foreach (var name in candidates)
        {
            if (keyed.IsKeyedService(typeof(T), name))
            {
                yield return name;
            }
        }
    }

    private static IEnumerable<string> GuardrailReferences(AegisOptions options)
    {
        foreach (var pipeline in Pipelines(options))
        {
            foreach (var stage in (List<string>?[])[pipeline.Ingress, pipeline.ToolCall, pipeline.ToolResult, pipeline.Egress])
            {
                foreach (var name in stage ?? [])
                {
                    yield return name;
                }
            }
        }

        foreach (var guardrail in options.Guardrails.Values)
        {
            if (guardrail.Pack is { } pack)
            {
                yield return pack;
            }
        }
    }

    private static IEnumerable<PipelineOptions> Pipelines(AegisOptions options)
    {
        yield return options.Pipeline;
        foreach (var route in options.Routes.Values)
        {
            if (route.Pipeline is { } pipeline)
            {
                yield return pipeline;
            }
        }
    }

    private static IEnumerable<string> ProviderReferences(AegisOptions options)
    {
        foreach (var route in options.Routes.Values)
        {
            if (route.Provider is { } provider)
            {
                yield return provider;
            }

            foreach (var fallback in route.Fallback ?? [])
            {
                yield return fallback;
            }
        }
    }

    private static void CopyInto(AegisOptions from, AegisOptions to)
    {
        to.Providers = from.Providers;
        to.Guardrails = from.Guardrails;
        to.Pipeline = from.Pipeline;
        to.Routes = from.Routes;
        to.Auth = from.Auth;
        to.Persistence = from.Persistence;
        to.Rag = from.Rag;
        to.Telemetry = from.Telemetry;
    }
}
