using Aegis.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Mounts the Aegis HTTP surface on any endpoint route builder.</summary>
public static class AegisEndpointRouteBuilderExtensions
{
    private static readonly string[] AllMethods = [HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch];

    /// <summary>
    /// Mounts, under <paramref name="prefix"/>: the native API (<c>POST /v1/runs</c>, <c>GET /v1/runs/{run_id}</c>,
    /// <c>POST /v1/runs/{run_id}/resume</c>, <c>GET /v1/audit</c>, <c>POST /v1/rag/index</c>, <c>POST /v1/rag/query</c>),
    /// the OpenAI-compatible API (<c>POST /v1/chat/completions</c>, <c>GET /v1/models</c>), <c>GET /metrics</c>
    /// (Prometheus, no auth), <c>GET /approvals</c> (HTML) and <c>GET /healthz</c> (liveness, no auth), plus coded
    /// 404/405 answers for other paths and methods under <c>/v1</c> (under the whole prefix when it is not empty).
    /// Requires <c>services.AddAegis(...)</c> and <c>services.AddAegisHttp(...)</c>.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="prefix">A path prefix such as <c>/ai</c>; empty mounts at the root.</param>
    /// <returns>The route group of every Aegis endpoint: add the host's conventions to it (rate limiting, CORS, authorization policies).</returns>
    public static RouteGroupBuilder MapAegis(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        if (endpoints.ServiceProvider.GetService<AegisHttpRuntime>() is null)
        {
            throw new InvalidOperationException("MapAegis() needs the Aegis HTTP services: call services.AddAegis(...) and services.AddAegisHttp(...) first.");
        }

        var group = endpoints.MapGroup(prefix);
        group.WithTags("Aegis");
        var allowed = new Dictionary<string, List<string>>(StringComparer.Ordinal);

        void Map(string method, string pattern, RequestDelegate handler, bool anonymous = false)
        {
            var endpoint = group.MapMethods(pattern, [method], handler).WithDisplayName($"Aegis {method} {pattern}");
            if (anonymous)
            {
                endpoint.AllowAnonymous();
            }

            if (!allowed.TryGetValue(pattern, out var methods))
            {
                allowed[pattern] = methods = [];
            }

            methods.Add(method);
        }

        Map(HttpMethods.Post, "/v1/runs", AegisHttpRuntime.Authenticated(RunEndpoints.CreateRunAsync));
        Map(HttpMethods.Get, "/v1/runs/{run_id}", AegisHttpRuntime.Authenticated(RunEndpoints.GetRunAsync));
        Map(HttpMethods.Post, "/v1/runs/{run_id}/resume", AegisHttpRuntime.Authenticated(RunEndpoints.ResumeAsync));
        Map(HttpMethods.Get, "/v1/audit", AegisHttpRuntime.Authenticated(RunEndpoints.AuditAsync));
        Map(HttpMethods.Post, "/v1/rag/index", AegisHttpRuntime.Authenticated(RunEndpoints.RagAsync));
        Map(HttpMethods.Post, "/v1/rag/query", AegisHttpRuntime.Authenticated(RunEndpoints.RagAsync));
        Map(HttpMethods.Post, "/v1/chat/completions", AegisHttpRuntime.Authenticated(ChatCompletionEndpoints.CompleteAsync));
        Map(HttpMethods.Get, "/v1/models", AegisHttpRuntime.Authenticated(ChatCompletionEndpoints.ModelsAsync));
        Map(HttpMethods.Get, "/approvals", AegisHttpRuntime.Anonymous(ApprovalsPage.RenderAsync), anonymous: true);
        Map(HttpMethods.Get, "/healthz", AegisHttpRuntime.Anonymous(static (_, context) =>
            RunEndpoints.WriteJsonAsync(context, new HealthBody("ok"), AegisHttpJsonContext.Default.HealthBody)), anonymous: true);

        group.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous().WithDisplayName("Aegis GET /metrics");

        foreach (var (pattern, methods) in allowed)
        {
            var others = new List<string>(AllMethods.Length);
            foreach (var method in AllMethods)
            {
                if (!methods.Contains(method))
                {
                    others.Add(method);
                }
            }

            group.MapMethods(pattern, others, FallbackEndpoints.MethodNotAllowed(string.Join(", ", methods)))
                .AllowAnonymous()
                .WithDisplayName($"Aegis 405 {pattern}");
        }

        var notFound = AegisHttpRuntime.Anonymous(FallbackEndpoints.NotFoundAsync);
        group.Map("/v1/{**path}", notFound).AllowAnonymous().WithDisplayName("Aegis 404 /v1");
        if (prefix.Trim('/').Length > 0)
        {
            group.Map("/{**path}", notFound).AllowAnonymous().WithDisplayName("Aegis 404");
        }

        return group;
    }
}
