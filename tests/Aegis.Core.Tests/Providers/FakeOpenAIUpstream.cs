using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aegis.Core.Tests.Providers;

/// <summary>One request the fake upstream received, with the headers the tests check.</summary>
internal sealed record RecordedRequest(string Path, string? Authorization, JsonObject Body)
{
    /// <summary>The <c>Content-Length</c> header, if sent.</summary>
    public long? ContentLength { get; init; }

    /// <summary>The <c>Content-Type</c> header.</summary>
    public string? ContentType { get; init; }

    /// <summary>The <c>Transfer-Encoding</c> header (empty when the body had a length).</summary>
    public string? TransferEncoding { get; init; }

    /// <summary>The body exactly as received.</summary>
    public string RawBody { get; init; } = "";
}

/// <summary>A tool call the fake upstream answers with.</summary>
internal sealed record UpstreamToolCall(string Id, string Name, string ArgumentsJson);

/// <summary>
/// A loopback Kestrel server that speaks the OpenAI chat completions wire protocol: <c>POST /v1/chat/completions</c>
/// answers a <c>chat.completion</c> object, or with <c>"stream": true</c> a <c>text/event-stream</c> of
/// <c>chat.completion.chunk</c> frames ending in <c>data: [DONE]</c> (plus a usage chunk when
/// <c>stream_options.include_usage</c> is set). Every request body is recorded with its headers. Settings are read per
/// request: tests can also answer a raw body (<see cref="RawBody"/>), raw SSE frames (<see cref="StreamFrames"/>), and
/// hold a stream part-way (<see cref="StreamGate"/>) or slow it down (<see cref="FrameDelay"/>).
/// </summary>
internal sealed class FakeOpenAIUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private int _framesWritten;

    private FakeOpenAIUpstream(WebApplication app, Uri root)
    {
        _app = app;
        Root = root;
    }

    /// <summary>The server root, e.g. <c>http://127.0.0.1:5123/</c>.</summary>
    public Uri Root { get; }

    /// <summary>The OpenAI base URL (<c>root + v1</c>), what <c>base_url</c> is set to.</summary>
    public string BaseUrl => new Uri(Root, "v1").ToString();

    /// <summary>The requests received so far, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>The assistant text answered.</summary>
    public string ReplyText { get; set; } = "Hello from the upstream, reassembled.";

    /// <summary>When set, the answer is this tool call instead of text.</summary>
    public UpstreamToolCall? ToolCall { get; set; }

    /// <summary>The HTTP status; anything but 200 answers an OpenAI error body.</summary>
    public int Status { get; set; } = StatusCodes.Status200OK;

    /// <summary>The <c>error.code</c> of an error body.</summary>
    public string ErrorCode { get; set; } = "invalid_api_key";

    /// <summary>The <c>error.message</c> of an error body; may quote the request's key, as real upstreams do.</summary>
    public Func<RecordedRequest, string> ErrorMessage { get; set; } = request => $"Incorrect API key provided: {request.Authorization}";

    /// <summary>When set, every request is answered <c>307 Temporary Redirect</c> to this URL.</summary>
    public string? RedirectTo { get; set; }

    /// <summary>A delay before answering (for timeouts).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, a non-streamed request is answered 200 with this body verbatim (for malformed and unusual answers).</summary>
    public string? RawBody { get; set; }

    /// <summary>The content type of <see cref="RawBody"/>.</summary>
    public string RawContentType { get; set; } = "application/json";

    /// <summary>
    /// When set, a streamed request is answered with these SSE frames verbatim (each written and flushed on its own,
    /// e.g. <c>"data: {...}\n\n"</c>), instead of the generated chunks.
    /// </summary>
    public IReadOnlyList<string>? StreamFrames { get; set; }

    /// <summary>When set, a stream holds its frames after the first <see cref="GateAfterFrames"/> until this task completes.</summary>
    public Task? StreamGate { get; set; }

    /// <summary>How many frames a gated stream sends before it waits for <see cref="StreamGate"/>.</summary>
    public int GateAfterFrames { get; set; } = 2;

    /// <summary>A delay before each frame after the first (for per-wait timeouts).</summary>
    public TimeSpan FrameDelay { get; set; }

    /// <summary>How many frames the current or last stream has written.</summary>
    public int FramesWritten => Volatile.Read(ref _framesWritten);

    /// <summary>Whether the last stream ended because the client went away.</summary>
    public bool StreamAborted { get; private set; }

    /// <summary>Usage reported: prompt tokens.</summary>
    public int PromptTokens { get; set; } = 17;

    /// <summary>Usage reported: completion tokens.</summary>
    public int CompletionTokens { get; set; } = 9;

    /// <summary>Starts the server on a free loopback port.</summary>
    public static async Task<FakeOpenAIUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeOpenAIUpstream? upstream = null;
        app.MapPost("/v1/chat/completions", (HttpContext context) => upstream!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream = new FakeOpenAIUpstream(app, new Uri(address.EndsWith('/') ? address : address + "/"));
        return upstream;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var raw = await reader.ReadToEndAsync(context.RequestAborted);
        var body = (JsonObject)JsonNode.Parse(raw)!;
        var request = new RecordedRequest(context.Request.Path, context.Request.Headers.Authorization.ToString(), body)
        {
            ContentLength = context.Request.ContentLength,
            ContentType = context.Request.ContentType,
            TransferEncoding = context.Request.Headers.TransferEncoding.ToString(),
            RawBody = raw,
        };
        _requests.Enqueue(request);

        if (RedirectTo is { } location)
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = location;
            return;
        }

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted);
        }

        if (Status != StatusCodes.Status200OK)
        {
            context.Response.StatusCode = Status;
            await context.Response.WriteAsJsonAsync(new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["message"] = ErrorMessage(request),
                    ["type"] = "invalid_request_error",
                    ["param"] = null,
                    ["code"] = ErrorCode,
                },
            });
            return;
        }

        var model = body["model"]?.GetValue<string>() ?? "unknown";
        if (body["stream"]?.GetValue<bool>() == true && RawBody is null)
        {
            var includeUsage = body["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
            Volatile.Write(ref _framesWritten, 0);
            StreamAborted = false;
            try
            {
                await StreamAsync(context, model, includeUsage);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                StreamAborted = true;
            }

            return;
        }

        if (RawBody is { } rawBody)
        {
            context.Response.ContentType = RawContentType;
            await context.Response.WriteAsync(rawBody, context.RequestAborted);
            return;
        }

        JsonObject message = ToolCall is { } call
            ? new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = call.Id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.ArgumentsJson },
                }),
            }
            : new JsonObject { ["role"] = "assistant", ["content"] = ReplyText };

        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["id"] = "chatcmpl-fake-1",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["logprobs"] = null,
                ["finish_reason"] = ToolCall is null ? "stop" : "tool_calls",
            }),
            ["usage"] = Usage(),
        });
    }

    private async Task StreamAsync(HttpContext context, string model, bool includeUsage)
    {
        context.Response.ContentType = "text/event-stream";
        if (StreamFrames is { } frames)
        {
            foreach (var frame in frames)
            {
                await BeforeFrameAsync(context);
                await context.Response.WriteAsync(frame, context.RequestAborted);
                Interlocked.Increment(ref _framesWritten); // counted before the client can see it
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            return;
        }
        await WriteFrameAsync(context, Chunk(model, new JsonObject { ["role"] = "assistant", ["content"] = "" }, finishReason: null));
        if (ToolCall is { } call)
        {
            var arguments = call.ArgumentsJson;
            var half = arguments.Length / 2;
            await WriteFrameAsync(context, Chunk(model, ToolDelta(call.Id, call.Name, arguments[..half]), finishReason: null));
            await WriteFrameAsync(context, Chunk(model, ToolDelta(id: null, name: null, arguments[half..]), finishReason: null));
        }
        else
        {
            var text = ReplyText;
            const int Parts = 3;
            for (var i = 0; i < Parts; i++)
            {
                var piece = text[(text.Length * i / Parts)..(text.Length * (i + 1) / Parts)];
                await WriteFrameAsync(context, Chunk(model, new JsonObject { ["content"] = piece }, finishReason: null));
            }
        }

        await WriteFrameAsync(context, Chunk(model, new JsonObject(), ToolCall is null ? "stop" : "tool_calls"));
        if (includeUsage)
        {
            await WriteFrameAsync(context, new JsonObject
            {
                ["id"] = "chatcmpl-fake-1",
                ["object"] = "chat.completion.chunk",
                ["created"] = 1_700_000_000,
                ["model"] = model,
                ["choices"] = new JsonArray(),
                ["usage"] = Usage(),
            }.ToJsonString());
        }

        await WriteFrameAsync(context, "[DONE]");
    }

    private static JsonObject ToolDelta(string? id, string? name, string arguments)
    {
        var function = new JsonObject { ["arguments"] = arguments };
        var call = new JsonObject { ["index"] = 0 };
        if (id is not null)
        {
            call["id"] = id;
            call["type"] = "function";
            function["name"] = name;
        }

        call["function"] = function;
        return new JsonObject { ["tool_calls"] = new JsonArray(call) };
    }

    private static string Chunk(string model, JsonObject delta, string? finishReason) => new JsonObject
    {
        ["id"] = "chatcmpl-fake-1",
        ["object"] = "chat.completion.chunk",
        ["created"] = 1_700_000_000,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = delta,
            ["logprobs"] = null,
            ["finish_reason"] = finishReason,
        }),
    }.ToJsonString();

    private JsonObject Usage() => new()
    {
        ["prompt_tokens"] = PromptTokens,
        ["completion_tokens"] = CompletionTokens,
        ["total_tokens"] = PromptTokens + CompletionTokens,
    };

    private async Task WriteFrameAsync(HttpContext context, string data)
    {
        await BeforeFrameAsync(context);
        await context.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"data: {data}\n\n"), context.RequestAborted);
        Interlocked.Increment(ref _framesWritten); // counted before the client can see it
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private async Task BeforeFrameAsync(HttpContext context)
    {
        var written = FramesWritten;
        if (written > 0 && FrameDelay > TimeSpan.Zero)
        {
            await Task.Delay(FrameDelay, context.RequestAborted);
        }

        if (written == GateAfterFrames && StreamGate is { } gate)
        {
            await gate.WaitAsync(context.RequestAborted);
        }
    }
}
