using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Aegis.Http;

/// <summary>The OpenAI-compatible API: <c>POST /v1/chat/completions</c> (streamed or not) and <c>GET /v1/models</c>.</summary>
internal static class ChatCompletionEndpoints
{
    private static readonly JsonTypeInfo ArgumentsTypeInfo = AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>));

    public static async Task CompleteAsync(AegisHttpRuntime runtime, HttpContext context, Principal principal)
    {
        var body = await RequestBodyReader.ReadAsync(context, AegisHttpJsonContext.Default.ChatCompletionRequestBody, runtime.Options.MaxRequestBodyBytes).ConfigureAwait(false);
        if (string.IsNullOrEmpty(body.Model))
        {
            throw new AegisException(AegisErrors.RequestMissingField, "model");
        }

        var request = new RunRequest
        {
            Messages = ChatMessageMapper.ToChatMessages(body.Messages),
            Route = body.Model,
            Principal = principal,
            Options = ChatOptionsMapper.ToChatOptions(body),
        };

        if (body.Stream == true)
        {
            var run = await runtime.Engine.RunStreamingAsync(request, context.RequestAborted).ConfigureAwait(false);
            context.Response.Headers[AegisHttpErrors.RunIdHeader] = run.RunId;
            if (run.Status is not (RunStatus.Running or RunStatus.Completed))
            {
                await WriteFailureAsync(context, run.Initial).ConfigureAwait(false);
                return;
            }

            await ChatCompletionStreamWriter.WriteAsync(context, run, body.Model, body.StreamOptions?.IncludeUsage == true).ConfigureAwait(false);
            return;
        }

        var result = await runtime.Engine.RunAsync(request, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers[AegisHttpErrors.RunIdHeader] = result.RunId;
        if (result is not { Status: RunStatus.Completed, Response: { } response })
        {
            await WriteFailureAsync(context, result.Run).ConfigureAwait(false);
            return;
        }

        await RunEndpoints.WriteJsonAsync(context, Completion(result.Run, response, body.Model), AegisHttpJsonContext.Default.ChatCompletionBody).ConfigureAwait(false);
    }

    public static Task ModelsAsync(AegisHttpRuntime runtime, HttpContext context, Principal principal)
    {
        var routes = runtime.Engine.Routes;
        var data = new List<ModelBody>(routes.Count);
        foreach (var route in routes)
        {
            data.Add(new ModelBody(route.Name, "model", runtime.StartedAt, "aegis"));
        }

        return RunEndpoints.WriteJsonAsync(context, new ModelListBody("list", data), AegisHttpJsonContext.Default.ModelListBody);
    }

    /// <summary>A run that did not complete is a coded error: blocked (403, the run's own code), paused (409 AEG-POL-005), error (its code).</summary>
    internal static Task WriteFailureAsync(HttpContext context, RunRecord run)
    {
        var (error, detail) = FailureOf(run);
        return AegisHttpErrors.WriteAsync(context, error, detail, run.Id);
    }

    internal static (AegisError Error, string? Detail) FailureOf(RunRecord run) => run.Status switch
    {
        RunStatus.Blocked => (ErrorFor(run.ErrorCode, AegisErrors.PolicyBlocked), run.Reason),
        RunStatus.Paused => (AegisErrors.PolicyApprovalRequired, run.Reason),
        _ => (ErrorFor(run.ErrorCode, AegisErrors.ServerInternal), run.Reason),
    };

    private static AegisError ErrorFor(string? code, AegisError fallback) =>
        code is not null && AegisErrors.TryGet(code, out var error) && error.HttpStatus >= 400 ? error : fallback;

    internal static string CompletionId(string runId) => "chatcmpl-" + runId;

    internal static string ArgumentsJson(FunctionCallContent call) =>
        call.Arguments is null ? "{}" : JsonSerializer.Serialize(call.Arguments, ArgumentsTypeInfo);

    internal static string FinishReasonOf(ChatFinishReason? reason, bool hasToolCalls) =>
        reason?.Value ?? (hasToolCalls ? "tool_calls" : "stop");

    private static ChatCompletionBody Completion(RunRecord run, ChatResponse response, string model)
    {
        List<ToolCallOutBody>? calls = null;
        string? refusal = null;
        // Indexed loops: an interface's enumerator is an allocation, and this runs for every completion.
        var messages = response.Messages;
        for (var m = 0; m < messages.Count; m++)
        {
            var contents = messages[m].Contents;
            for (var c = 0; c < contents.Count; c++)
            {
                var content = contents[c];
                if (content is FunctionCallContent call)
                {
                    (calls ??= []).Add(new ToolCallOutBody(call.CallId, "function", new FunctionOutBody(call.Name, ArgumentsJson(call))));
                }
                else if (content is ErrorContent { ErrorCode: OpenAIConventions.RefusalErrorCode } refused)
                {
                    refusal += refused.Message;
                }
            }
        }

        var text = response.Text;
        return new ChatCompletionBody
        {
            Id = CompletionId(run.Id),
            Created = run.CreatedAt.ToUnixTimeSeconds(),
            Model = model,
            Choices =
            [
                new ChoiceBody
                {
                    Message = new AssistantMessageBody { Content = text.Length == 0 && (calls is not null || refusal is not null) ? null : text, Refusal = refusal, ToolCalls = calls },
                    FinishReason = FinishReasonOf(response.FinishReason, calls is not null),
                },
            ],
            Usage = UsageBody.From(run.Usage),
        };
    }
}
