using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.AI;

namespace Aegis.Http;

/// <summary>
/// Writes a streamed run as OpenAI server-sent events: a first chunk with the role, content and tool-call
/// deltas as the engine releases them, a final chunk with <c>finish_reason</c>, an optional usage chunk,
/// then <c>data: [DONE]</c>. Each frame is written with a <see cref="Utf8JsonWriter"/> straight into the
/// response's <c>PipeWriter</c>. The pipe is flushed whenever the next update is not ready yet, so every chunk
/// reaches the client as soon as it is released, and chunks released together leave in one write.
/// </summary>
internal static class ChatCompletionStreamWriter
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] FrameEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public static async Task WriteAsync(HttpContext context, StreamingRun run, string model, bool includeUsage)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var frame = new Frame(response, CompletionId: ChatCompletionEndpoints.CompletionId(run.RunId), run.Initial.CreatedAt.ToUnixTimeSeconds(), model);
        frame.Write(static (w, _) =>
        {
            w.WriteStartObject("delta");
            w.WriteString("role", "assistant");
            w.WriteString("content", string.Empty);
            w.WriteEndObject();
            w.WriteNull("finish_reason");
        }, 0);

        ChatFinishReason? finish = null;
        UsageDetails? usage = null;
        var toolIndex = 0;
        var updates = run.Updates.GetAsyncEnumerator(context.RequestAborted);
        try
        {
            while (true)
            {
                var next = updates.MoveNextAsync();
                if (!next.IsCompleted)
                {
                    // Nothing more is ready: what is written (headers with the first frame) goes out now.
                    await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                }

                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

                var update = updates.Current;
                finish = update.FinishReason ?? finish;
                foreach (var content in update.Contents)
                {
                    switch (content)
                    {
                        case TextContent { Text.Length: > 0 } text:
                            frame.Write(static (w, state) =>
                            {
                                w.WriteStartObject("delta");
                                w.WriteString("content", (string)state!);
                                w.WriteEndObject();
                                w.WriteNull("finish_reason");
                            }, text.Text);
                            break;
                        case FunctionCallContent call:
                            var index = toolIndex++;
                            frame.Write(static (w, state) =>
                            {
                                var (call, index) = ((FunctionCallContent, int))state!;
                                w.WriteStartObject("delta");
                                w.WriteStartArray("tool_calls");
                                w.WriteStartObject();
                                w.WriteNumber("index", index);
                                w.WriteString("id", call.CallId);
                                w.WriteString("type", "function");
                                w.WriteStartObject("function");
                                w.WriteString("name", call.Name);
                                w.WriteString("arguments", ChatCompletionEndpoints.ArgumentsJson(call));
                                w.WriteEndObject();
                                w.WriteEndObject();
                                w.WriteEndArray();
                                w.WriteEndObject();
                                w.WriteNull("finish_reason");
                            }, (call, index));
                            break;
                        case ErrorContent { ErrorCode: OpenAIConventions.RefusalErrorCode, Message.Length: > 0 } refusal:
                            frame.Write(static (w, state) =>
                            {
                                w.WriteStartObject("delta");
                                w.WriteString("refusal", (string)state!);
                                w.WriteEndObject();
                                w.WriteNull("finish_reason");
                            }, refusal.Message);
                            break;
                        case UsageContent used:
                            usage = used.Details;
                            break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (AegisException ex)
        {
            await frame.WriteErrorAsync(ex.Error, ex.Detail, run.RunId).ConfigureAwait(false);
            return;
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }

        var finishReason = ChatCompletionEndpoints.FinishReasonOf(finish, toolIndex > 0);
        frame.Write(static (w, state) =>
        {
            w.WriteStartObject("delta");
            w.WriteEndObject();
            w.WriteString("finish_reason", (string)state!);
        }, finishReason);

        if (includeUsage)
        {
            var current = run.Current.Usage;
            var prompt = usage?.InputTokenCount ?? current.PromptTokens;
            var completion = usage?.OutputTokenCount ?? current.CompletionTokens;
            frame.WriteUsage(prompt, completion);
        }

        await response.BodyWriter.WriteAsync(Done, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Writes <c>chat.completion.chunk</c> frames into the response's pipe (the caller flushes).</summary>
    private sealed class Frame(HttpResponse response, string CompletionId, long created, string model) : IDisposable
    {
        private readonly Utf8JsonWriter _json = new(response.BodyWriter);

        public void Write(Action<Utf8JsonWriter, object?> writeChoice, object? state)
        {
            Begin();
            _json.WriteStartArray("choices");
            _json.WriteStartObject();
            _json.WriteNumber("index", 0);
            writeChoice(_json, state);
            _json.WriteEndObject();
            _json.WriteEndArray();
            End();
        }

        public void WriteUsage(long prompt, long completion)
        {
            Begin();
            _json.WriteStartArray("choices");
            _json.WriteEndArray();
            _json.WriteStartObject("usage");
            _json.WriteNumber("prompt_tokens", prompt);
            _json.WriteNumber("completion_tokens", completion);
            _json.WriteNumber("total_tokens", prompt + completion);
            _json.WriteEndObject();
            End();
        }

        /// <summary>An error after the stream started: a frame with the error object; the stream ends without [DONE].</summary>
        public async Task WriteErrorAsync(AegisError error, string? detail, string runId)
        {
            response.BodyWriter.Write(DataPrefix);
            _json.Reset(response.BodyWriter);
            JsonSerializer.Serialize(_json, AegisHttpErrors.Envelope(error, detail, runId), AegisHttpJsonContext.Default.ErrorEnvelope);
            _json.Flush();
            response.BodyWriter.Write(FrameEnd);
            await response.BodyWriter.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }

        public void Dispose() => _json.Dispose();

        private void Begin()
        {
            response.BodyWriter.Write(DataPrefix);
            _json.Reset(response.BodyWriter);
            _json.WriteStartObject();
            _json.WriteString("id", CompletionId);
            _json.WriteString("object", "chat.completion.chunk");
            _json.WriteNumber("created", created);
            _json.WriteString("model", model);
        }

        private void End()
        {
            _json.WriteEndObject();
            _json.Flush();
            response.BodyWriter.Write(FrameEnd);
        }
    }
}
