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

/// <summary>One request the fake upstream received.</summary>
internal sealed record RecordedRequest(string Path, string? Authorization, JsonObject Body);

/// <summary>A tool call the fake upstream answers with.</summary>
internal sealed record UpstreamToolCall(string Id, string Name, string ArgumentsJson);

/// <summary>
/// A loopback Kestrel server that speaks the OpenAI chat completions wire protocol: <c>POST /v1/chat/completions</c>
/// answers a <c>chat.completion</c> object, or with <c>"stream": true</c> a <c>text/event-stream</c> of
/// <c>chat.completion.chunk</c> frames ending in <c>data: [DONE]</c> (plus a usage chunk when
/// <c>stream_options.include_usage</c> is set). Every request body is recorded. Settings are read per request.
/// </summary>
internal sealed class FakeOpenAIUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

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

    /// <summary>A delay before answering (for timeouts).</summary>
    public TimeSpan Delay { get; set; }

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
        var body = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!;
        var request = new RecordedRequest(context.Request.Path, context.Request.Headers.Authorization.ToString(), body);
        _requests.Enqueue(request);

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
        if (body["stream"]?.GetValue<bool>() == true)
        {
            var includeUsage = body["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
            await StreamAsync(context, model, includeUsage);
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

    private static async Task WriteFrameAsync(HttpContext context, string data)
    {
        await context.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"data: {data}\n\n"), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
}
