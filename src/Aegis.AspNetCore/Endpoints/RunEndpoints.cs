using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Aegis.Http;

/// <summary>The native API: <c>/v1/runs</c>, <c>/v1/runs/{run_id}</c>, <c>/v1/runs/{run_id}/resume</c>, <c>/v1/audit</c>, <c>/v1/rag/*</c>.</summary>
internal static class RunEndpoints
{
    private const int DefaultAuditLimit = 100;
    private const int MaxAuditLimit = 1000;

    public static async Task CreateRunAsync(AegisHttpRuntime runtime, HttpContext context, Principal principal)
    {
        var body = await RequestBodyReader.ReadAsync(context, AegisHttpJsonContext.Default.RunRequestBody, runtime.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        var request = new RunRequest
        {
            Messages = ChatMessageMapper.ToChatMessages(body.Messages),
            Route = body.Route ?? "default",
            Principal = principal,
            Background = body.Background ?? false,
            Approvers = ApproversOf(body.Approvers),
        };

        var result = await runtime.Engine.RunAsync(request, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers[AegisHttpErrors.RunIdHeader] = result.RunId;
        await WriteJsonAsync(context, WireMapper.RunResponse(result.Run, result.Events), AegisHttpJsonContext.Default.RunResponseBody).ConfigureAwait(false);
    }

    public static async Task GetRunAsync(AegisHttpRuntime runtime, HttpContext context, Principal principal)
    {
        var runId = RunIdOf(context);
        var run = await runtime.Engine.GetRunAsync(runId, context.RequestAborted).ConfigureAwait(false)
            ?? throw new AegisException(AegisErrors.RunNotFound, $"run {runId}");
        context.Response.Headers[AegisHttpErrors.RunIdHeader] = run.Id;
        await WriteJsonAsync(context, WireMapper.RunStatusOf(run, null), AegisHttpJsonContext.Default.RunStatusBody).ConfigureAwait(false);
    }

    public static async Task ResumeAsync(AegisHttpRuntime runtime, HttpContext context, Principal principal)
    {
        var runId = RunIdOf(context);
        var body = await RequestBodyReader.ReadAsync(context, AegisHttpJsonContext.Default.ResumeRequestBody, runtime.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        var decision = ApprovalDecisions.Parse(body.Decision);
        var engine = runtime.Engine;
        var result = await engine.ResumeAsync(runId, decision, principal, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers[AegisHttpErrors.RunIdHeader] = result.RunId;
        var events = await engine.Audit.GetRunEventsAsync(result.RunId, context.RequestAborted).ConfigureAwait(false);
        await WriteJsonAsync(context, WireMapper.RunResponse(result.Run, events), AegisHttpJsonContext.Default.RunResponseBody).ConfigureAwait(false);
    }

    public static async Task AuditAsync(AegisHttpRuntime runtime, HttpContext context, Principal principal)
    {
        var query = QueryOf(context.Request.Query);
        var engine = runtime.Engine;
        var page = await engine.Runs.ListAsync(query, context.RequestAborted).ConfigureAwait(false);
        var runs = new List<RunStatusBody>(page.Runs.Count);
        foreach (var run in page.Runs)
        {
            var events = await engine.Audit.GetRunEventsAsync(run.Id, context.RequestAborted).ConfigureAwait(false);
            runs.Add(WireMapper.RunStatusOf(run, events));
        }

        await WriteJsonAsync(context, new AuditResponseBody(runs, page.NextCursor), AegisHttpJsonContext.Default.AuditResponseBody).ConfigureAwait(false);
    }

    /// <summary>RAG does not exist in this build yet: both endpoints answer AEG-RAG-001.</summary>
    public static Task RagAsync(AegisHttpRuntime runtime, HttpContext context, Principal principal) =>
        throw new AegisException(AegisErrors.RagNotConfigured, "no vector store is configured for /v1/rag");

    internal static RunQuery QueryOf(IQueryCollection query)
    {
        var limit = DefaultAuditLimit;
        if (query.TryGetValue("limit", out var limitText) && !string.IsNullOrEmpty(limitText))
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxAuditLimit)
            {
                throw new AegisException(AegisErrors.RequestInvalidField, $"limit: must be an integer between 1 and {MaxAuditLimit.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        DateTimeOffset? since = null;
        if (query.TryGetValue("since", out var sinceText) && !string.IsNullOrEmpty(sinceText))
        {
            if (!DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed))
            {
                throw new AegisException(AegisErrors.RequestInvalidField, "since: must be an ISO-8601 date or date-time, e.g. 2025-01-31T00:00:00Z");
            }

            since = parsed;
        }

        RunStatus? status = null;
        if (query.TryGetValue("status", out var statusText) && !string.IsNullOrEmpty(statusText))
        {
            if (!RunStatusNames.TryParse(statusText, out var parsed))
            {
                throw new AegisException(AegisErrors.RequestInvalidField, "status: must be one of pending, running, completed, paused, blocked, error");
            }

            status = parsed;
        }

        return new RunQuery
        {
            PrincipalId = NullIfEmpty(query["principal"]),
            Route = NullIfEmpty(query["route"]),
            Since = since,
            Status = status,
            Limit = limit,
            Cursor = NullIfEmpty(query["cursor"]),
        };
    }

    internal static Task WriteJsonAsync<T>(HttpContext context, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonResponseWriter.WriteAsync(context.Response, value, typeInfo, context.RequestAborted);
    }

    private static string RunIdOf(HttpContext context) => context.Request.RouteValues["run_id"] as string ?? string.Empty;

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) => string.IsNullOrEmpty(value) ? null : value.ToString();

    private static List<string> ApproversOf(List<string?>? approvers)
    {
        if (approvers is null)
        {
            return [];
        }

        var list = new List<string>(approvers.Count);
        for (var i = 0; i < approvers.Count; i++)
        {
            var approver = approvers[i];
            if (string.IsNullOrWhiteSpace(approver))
            {
                throw new AegisException(AegisErrors.RequestInvalidField, $"approvers[{i.ToString(CultureInfo.InvariantCulture)}]: must be a non-empty principal id");
            }

            list.Add(approver);
        }

        return list;
    }
}
