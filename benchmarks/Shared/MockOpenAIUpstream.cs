using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Aegis.Benchmarking;

/// <summary>
/// A mock OpenAI upstream on loopback (Kestrel): <c>POST /v1/chat/completions</c> answers a fixed
/// <c>chat.completion</c> of realistic size (<see cref="BenchmarkTexts.Answer"/>), or, for <c>"stream": true</c>,
/// 20 SSE chunks and <c>[DONE]</c>, each flushed as it is written. It reads the request as JSON, as a real upstream
/// does; responses are pre-serialised; an optional latency is added before the first byte. The load test runs it
/// beside the gateway; the provider benchmarks call it in-process.
/// </summary>
internal sealed class MockOpenAIUpstream : IAsyncDisposable
{
    public const int StreamChunks = 20;

    private static readonly byte[] CompletionBody = BuildCompletion();
    private static readonly byte[][] StreamBody = BuildStream();
    private readonly WebApplication _app;
    private readonly int _latencyMs;

    private MockOpenAIUpstream(WebApplication app, int latencyMs)
    {
        _app = app;
        _latencyMs = latencyMs;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public long Requests => Interlocked.Read(ref _requests);

    private long _requests;

    public static async Task<MockOpenAIUpstream> StartAsync(int latencyMs)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
        });
        var app = builder.Build();
        var mock = new MockOpenAIUpstream(app, latencyMs);
        app.MapPost("/v1/chat/completions", mock.HandleAsync);
        app.MapPost("/chat/completions", mock.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Urls.First();
        mock.BaseUrl = new Uri(address.TrimEnd('/') + "/v1/");
        return mock;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var stream = await IsStreamingAsync(context.Request).ConfigureAwait(false);
        if (_latencyMs > 0)
        {
            await Task.Delay(_latencyMs, context.RequestAborted).ConfigureAwait(false);
        }

        var response = context.Response;
        response.StatusCode = 200;
        if (!stream)
        {
            response.ContentType = "application/json";
            response.ContentLength = CompletionBody.Length;
            await response.Body.WriteAsync(CompletionBody, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        foreach (var chunk in StreamBody)
        {
            await response.Body.WriteAsync(chunk, context.RequestAborted).ConfigureAwait(false);
            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static async Task<bool> IsStreamingAsync(HttpRequest request)
    {
        using var document = await JsonDocument.ParseAsync(request.Body).ConfigureAwait(false);
        return document.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
    }

    private static byte[] BuildCompletion()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            BeginChoice(w, "chat.completion");
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            w.WriteString("content", BenchmarkTexts.Answer);
            w.WriteNull("refusal");
            w.WriteEndObject();
            w.WriteNull("logprobs");
            w.WriteString("finish_reason", "stop");
            w.WriteEndObject();
            w.WriteEndArray();
            WriteUsage(w);
            w.WriteString("system_fingerprint", "fp_mock");
            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    private static byte[][] BuildStream()
    {
        var chunks = new byte[StreamChunks + 2][];
        for (var i = 0; i < StreamChunks; i++)
        {
            var from = BenchmarkTexts.Answer.Length * i / StreamChunks;
            var to = BenchmarkTexts.Answer.Length * (i + 1) / StreamChunks;
            chunks[i] = Sse(w => Chunk(w, i == 0, BenchmarkTexts.Answer[from..to], finish: null));
        }

        chunks[StreamChunks] = Sse(w => Chunk(w, false, null, finish: "stop"));
        chunks[StreamChunks + 1] = Encoding.UTF8.GetBytes("data: [DONE]\n\n");
        return chunks;
    }

    private static void Chunk(Utf8JsonWriter w, bool first, string? content, string? finish)
    {
        BeginChoice(w, "chat.completion.chunk");
        w.WriteStartObject("delta");
        if (first)
        {
            w.WriteString("role", "assistant");
        }

        if (content is not null)
        {
            w.WriteString("content", content);
        }

        w.WriteEndObject();
        if (finish is null)
        {
            w.WriteNull("finish_reason");
        }
        else
        {
            w.WriteString("finish_reason", finish);
        }

        w.WriteEndObject();
        w.WriteEndArray();
        if (finish is not null)
        {
            WriteUsage(w);
        }

        w.WriteEndObject();
    }

    /// <summary>Opens the answer object (id, object, created, model) and its only choice, up to its index.</summary>
    private static void BeginChoice(Utf8JsonWriter w, string objectName)
    {
        w.WriteStartObject();
        w.WriteString("id", "chatcmpl-mock0000000000000000000000");
        w.WriteString("object", objectName);
        w.WriteNumber("created", 1_764_000_000);
        w.WriteString("model", "mock-model");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
    }

    private static void WriteUsage(Utf8JsonWriter w)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", 260);
        w.WriteNumber("completion_tokens", 150);
        w.WriteNumber("total_tokens", 410);
        w.WriteEndObject();
    }

    private static byte[] Sse(Action<Utf8JsonWriter> write)
    {
        using var ms = new MemoryStream();
        ms.Write("data: "u8);
        using (var w = new Utf8JsonWriter(ms))
        {
            write(w);
        }

        ms.Write("\n\n"u8);
        return ms.ToArray();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"mock upstream at {BaseUrl}");
}
