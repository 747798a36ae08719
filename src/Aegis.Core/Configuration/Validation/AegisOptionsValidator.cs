namespace Aegis;

/// <summary>
/// Checks bound options offline, before anything is built: required keys, allowed values, and that
/// every name a route or pipeline uses exists (in configuration or registered in code). Every
/// problem is an <see cref="AegisException"/> whose detail starts with the key path, e.g.
/// <c>pipeline.ingress[1]: 'pi' is not defined under guardrails</c>.
/// </summary>
public static class AegisOptionsValidator
{
    private static readonly string[] AuthModes = ["keys", "none", "host"];
    private static readonly string[] PersistenceTypes = ["memory", "sqlite"];
    private static readonly (string Key, Func<PipelineOptions, List<string>?> Stage)[] Stages =
    [
        ("ingress", p => p.Ingress),
        ("tool_call", p => p.ToolCall),
        ("tool_result", p => p.ToolResult),
        ("egress", p => p.Egress),
    ];

    /// <summary>Validates <paramref name="options"/> and throws the first problem (start-up).</summary>
    /// <param name="options">The bound options.</param>
    /// <param name="context">What exists in this build and host.</param>
    /// <exception cref="AegisException">The first problem found.</exception>
    public static void Validate(AegisOptions options, AegisValidationContext context)
    {
        foreach (var problem in Check(options, context))
        {
            throw problem;
        }
    }

    /// <summary>Validates <paramref name="options"/> and returns every problem (<c>aegis config validate</c>).</summary>
    /// <param name="options">The bound options.</param>
    /// <param name="context">What exists in this build and host.</param>
    /// <returns>The problems in order (providers, guardrails, pipeline, routes, auth, persistence, rag); empty when valid.</returns>
    public static IReadOnlyList<AegisException> ValidateAll(AegisOptions options, AegisValidationContext context) => [.. Check(options, context)];

    private static IEnumerable<AegisException> Check(AegisOptions options, AegisValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        return CheckAll(options, context);
    }

    private static IEnumerable<AegisException> CheckAll(AegisOptions options, AegisValidationContext context)
    {
        if (options.Providers.Count == 0 && context.CodeProviders.Count == 0)
        {
            yield return new AegisException(AegisErrors.ConfigMissingField, "providers: no provider is configured or registered in code");
        }

        foreach (var (name, provider) in options.Providers)
        {
            foreach (var problem in CheckProvider("providers." + name.ToLowerInvariant(), provider, context))
            {
                yield return problem;
            }
        }

        foreach (var (name, guardrail) in options.Guardrails)
        {
            if (CheckGuardrail("guardrails." + name.ToLowerInvariant(), guardrail, context) is { } problem)
            {
                yield return problem;
            }
        }

        foreach (var problem in CheckPipeline("pipeline", options.Pipeline, options, context))
        {
            yield return problem;
        }

        var providerCount = options.Providers.Count + context.CodeProviders.Count(n => !options.Providers.ContainsKey(n));
        foreach (var (name, route) in options.Routes)
        {
            foreach (var problem in CheckRoute("routes." + name.ToLowerInvariant(), route, providerCount, options, context))
            {
                yield return problem;
            }
        }

        if (OneOf("auth.mode", options.Auth.Mode, AuthModes) is { } authProblem)
        {
            yield return authProblem;
        }

        if (OneOf("persistence.type", options.Persistence.Type, PersistenceTypes) is { } persistenceProblem)
        {
            yield return persistenceProblem;
        }

        if (options.Rag.ChunkSize is <= 0)
        {
            yield return new AegisException(AegisErrors.ConfigInvalidValue, $"rag.chunk_size: must be greater than 0 (was {options.Rag.ChunkSize})");
        }
    }

    private static IEnumerable<AegisException> CheckProvider(string path, ProviderOptions provider, AegisValidationContext context)
    {
        if (string.IsNullOrWhiteSpace(provider.Type))
        {
            yield return new AegisException(AegisErrors.ConfigMissingField, path + ".type");
            yield break;
        }

        if (!context.ProviderTypes.Contains(provider.Type))
        {
            var known = string.Join(", ", context.ProviderTypes.Order(StringComparer.OrdinalIgnoreCase));
            yield return new AegisException(AegisErrors.ConfigPluginNotFound, $"{path}.type: '{provider.Type}' is not a provider type (known: {known})");
            yield break;
        }

        var type = provider.Type.ToLowerInvariant();
        if (type == "openai_compatible" && string.IsNullOrWhiteSpace(provider.BaseUrl))
        {
            yield return new AegisException(AegisErrors.ConfigMissingField, path + ".base_url");
        }

        if (!string.IsNullOrWhiteSpace(provider.BaseUrl) && !AegisSecrets.IsReference(provider.BaseUrl) && !IsHttpUri(provider.BaseUrl))
        {
            // The value is not shown: a URL may carry credentials.
            yield return new AegisException(AegisErrors.ConfigInvalidValue, path + ".base_url: must be an absolute http:// or https:// URI");
        }

        if (type == "openai" && string.IsNullOrWhiteSpace(provider.ApiKey))
        {
            yield return new AegisException(AegisErrors.ConfigMissingField, path + ".api_key");
        }

        if (type == "fake" && provider.Echo == true && provider.Reply is not null)
        {
            yield return new AegisException(AegisErrors.ConfigInvalidValue, path + ".reply: cannot be combined with echo: true; use one of them");
        }

        if (provider.TimeoutSeconds is { } timeout && !(timeout > 0))
        {
            yield return new AegisException(AegisErrors.ConfigInvalidValue, $"{path}.timeout_seconds: must be greater than 0");
        }
    }

    private static AegisException? CheckGuardrail(string path, GuardrailOptions guardrail, AegisValidationContext context)
    {
        var pack = guardrail.Pack;
        if (string.IsNullOrWhiteSpace(pack))
        {
            return new AegisException(AegisErrors.ConfigMissingField, path + ".pack");
        }

        if (context.HasPack(pack) || context.CodeGuardrails.Contains(pack))
        {
            return null;
        }

        return context.MissingPacks.Contains(pack)
            ? new AegisException(AegisErrors.PolicyMissingPack, $"{path}.pack: '{pack}' is not available in this build")
            : new AegisException(AegisErrors.ConfigPluginNotFound, $"{path}.pack: '{pack}' is not a guardrail pack or a guardrail registered in code");
    }

    private static IEnumerable<AegisException> CheckPipeline(string path, PipelineOptions? pipeline, AegisOptions options, AegisValidationContext context)
    {
        if (pipeline is null)
        {
            yield break;
        }

        foreach (var (key, stage) in Stages)
        {
            var names = stage(pipeline);
            if (names is null)
            {
                continue;
            }

            for (var i = 0; i < names.Count; i++)
            {
                var name = names[i];
                var at = $"{path}.{key}[{i}]";
                if (string.IsNullOrWhiteSpace(name))
                {
                    yield return new AegisException(AegisErrors.ConfigInvalidValue, at + ": empty guardrail name");
                }
                else if (!options.Guardrails.ContainsKey(name) && !context.CodeGuardrails.Contains(name))
                {
                    yield return new AegisException(AegisErrors.ConfigUnknownGuardrail, $"{at}: '{name}' is not defined under guardrails");
                }
            }
        }
    }

    private static IEnumerable<AegisException> CheckRoute(string path, AegisRouteOptions route, int providerCount, AegisOptions options, AegisValidationContext context)
    {
        if (string.IsNullOrWhiteSpace(route.Provider))
        {
            if (providerCount > 1)
            {
                yield return new AegisException(AegisErrors.ConfigMissingField, path + ".provider: required when there are several providers");
            }
        }
        else if (!IsProvider(route.Provider, options, context))
        {
            yield return new AegisException(AegisErrors.ConfigUnknownProvider, $"{path}.provider: '{route.Provider}' is not defined under providers");
        }

        if (route.Fallback is { } fallback)
        {
            for (var i = 0; i < fallback.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(fallback[i]) || !IsProvider(fallback[i], options, context))
                {
                    yield return new AegisException(AegisErrors.ConfigUnknownProvider, $"{path}.fallback[{i}]: '{fallback[i]}' is not defined under providers");
                }
            }
        }

        foreach (var problem in CheckPipeline(path + ".pipeline", route.Pipeline, options, context))
        {
            yield return problem;
        }
    }

    private static bool IsProvider(string name, AegisOptions options, AegisValidationContext context)
        => options.Providers.ContainsKey(name) || context.CodeProviders.Contains(name);

    private static bool IsHttpUri(string value)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static AegisException? OneOf(string path, string? value, string[] allowed)
    {
        if (value is null || allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        return new AegisException(AegisErrors.ConfigInvalidValue, $"{path}: '{value}' is not one of {string.Join(", ", allowed)}");
    }
}
