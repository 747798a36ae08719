using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Aegis.Pipeline;

/// <summary>
/// Compiles every route's pipeline once from validated options: resolves guardrail and provider
/// names (configuration first, then names registered in code or as keyed services), builds each
/// guardrail and provider once, and decides each route's streaming mode.
/// </summary>
internal sealed class PipelineCompiler
{
    private readonly AegisOptions _options;
    private readonly AegisRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly Dictionary<string, IGuardrail> _guardrails = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IChatClient> _providers = new(StringComparer.OrdinalIgnoreCase);

    public PipelineCompiler(AegisOptions options, AegisRegistry registry, IServiceProvider services)
    {
        _options = options;
        _registry = registry;
        _services = services;
    }

    public Dictionary<string, RoutePipeline> Compile()
    {
        // Everything configured is built, referenced or not: a broken entry fails start-up, not a later edit.
        foreach (var name in _options.Providers.Keys)
        {
            Provider(name, $"providers.{name}");
        }

        foreach (var name in _options.Guardrails.Keys)
        {
            Guardrail(name, $"guardrails.{name}");
        }

        var routes = new Dictionary<string, RoutePipeline>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, route) in _options.EffectiveRoutes(_registry.Providers.Keys))
        {
            var pipeline = PipelineOptions.Resolve(route.Pipeline, _options.Pipeline);
            var providerNames = new List<string>();
            var primary = route.Provider ?? DefaultProviderName()
                ?? throw new AegisException(AegisErrors.ConfigMissingField, $"routes.{name}.provider");
            providerNames.Add(primary);
            if (route.Fallback is { } fallback)
            {
                providerNames.AddRange(fallback);
            }

            var providers = new List<(string, IChatClient)>(providerNames.Count);
            for (var i = 0; i < providerNames.Count; i++)
            {
                var key = i == 0 ? $"routes.{name}.provider" : $"routes.{name}.fallback[{i - 1}]";
                providers.Add((providerNames[i], Provider(providerNames[i], key)));
            }

            routes[name] = new RoutePipeline(
                name,
                route,
                providers,
                Steps(pipeline.Ingress, route.Pipeline?.Ingress is null ? "pipeline.ingress" : $"routes.{name}.pipeline.ingress"),
                Steps(pipeline.ToolCall, route.Pipeline?.ToolCall is null ? "pipeline.tool_call" : $"routes.{name}.pipeline.tool_call"),
                Steps(pipeline.ToolResult, route.Pipeline?.ToolResult is null ? "pipeline.tool_result" : $"routes.{name}.pipeline.tool_result"),
                Steps(pipeline.Egress, route.Pipeline?.Egress is null ? "pipeline.egress" : $"routes.{name}.pipeline.egress"));
        }

        return routes;
    }

    private string? DefaultProviderName()
    {
        foreach (var name in _options.Providers.Keys)
        {
            return name;
        }

        foreach (var name in _registry.Providers.Keys)
        {
            return name;
        }

        return null;
    }

    private GuardStep[] Steps(List<string>? names, string keyPath)
    {
        if (names is null || names.Count == 0)
        {
            return [];
        }

        var steps = new GuardStep[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            steps[i] = new GuardStep(names[i], Guardrail(names[i], $"{keyPath}[{i}]"));
        }

        return steps;
    }

    private IGuardrail Guardrail(string name, string keyPath)
    {
        if (_guardrails.TryGetValue(name, out var built))
        {
            return built;
        }

        IGuardrail guard;
        if (_options.Guardrails.TryGetValue(name, out var options))
        {
            var pack = options.Pack;
            if (pack is not null && !_registry.Packs.TryResolve(pack, out _, out _) && _registry.Guardrails.TryGetValue(pack, out var packFactory))
            {
                guard = Build(() => packFactory(_services), $"guardrails.{name}");
            }
            else if (pack is not null && !_registry.Packs.TryResolve(pack, out _, out _) && _services.GetKeyedService<IGuardrail>(pack) is { } keyedPack)
            {
                guard = keyedPack;
            }
            else
            {
                guard = _registry.Packs.Create(name, options);
            }
        }
        else if (_registry.Guardrails.TryGetValue(name, out var codeFactory))
        {
            guard = Build(() => codeFactory(_services), $"guardrail '{name}'");
        }
        else if (_services.GetKeyedService<IGuardrail>(name) is { } keyed)
        {
            guard = keyed;
        }
        else
        {
            throw new AegisException(AegisErrors.ConfigUnknownGuardrail, $"{keyPath}: '{name}' is not defined under guardrails");
        }

        _guardrails[name] = guard;
        return guard;
    }

    private IChatClient Provider(string name, string keyPath)
    {
        if (_providers.TryGetValue(name, out var built))
        {
            return built;
        }

        IChatClient client;
        if (_options.Providers.TryGetValue(name, out var options))
        {
            var type = options.Type ?? throw new AegisException(AegisErrors.ConfigMissingField, $"providers.{name}.type");
            if (!_registry.ProviderTypes.TryGetValue(type, out var factory))
            {
                throw new AegisException(AegisErrors.ConfigPluginNotFound, $"providers.{name}.type: '{type}' is not a known provider type");
            }

            client = Build(() => factory(name, options, _services), $"providers.{name}");
        }
        else if (_registry.Providers.TryGetValue(name, out var codeFactory))
        {
            client = Build(() => codeFactory(_services), $"provider '{name}'");
        }
        else if (_services.GetKeyedService<IChatClient>(name) is { } keyed)
        {
            client = keyed;
        }
        else
        {
            throw new AegisException(AegisErrors.ConfigUnknownProvider, $"{keyPath}: '{name}' is not defined under providers");
        }

        _providers[name] = client;
        return client;
    }

    private static T Build<T>(Func<T> factory, string what)
    {
        try
        {
            return factory();
        }
        catch (AegisException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new AegisException(AegisErrors.ConfigPluginLoad, $"{what}: {ex.GetType().Name}: {ex.Message}", ex);
        }
    }
}
