using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Aegis.Benchmarks;

/// <summary>
/// An in-process OpenAI upstream on loopback (Kestrel, HTTP/1.1): <c>POST /v1/chat/completions</c> answers a
/// pre-serialised <c>chat.completion</c> of about 1.3 KB, or, when the body asks for <c>"stream":true</c>, 20 content
/// chunks, a finish chunk with usage and <c>data: [DONE]</c>, each flushed on its own.
/// </summary>
internal sealed class LoopbackOpenAIMock : IAsyncDisposable
{
    public const int StreamChunks = 20;

    /// <summary>Ordinary prose, no PII: what a model answers to a summary request.</summary>
    public const string Answer =
        "Here is a short summary of the supplier report. Deliveries slipped by an average of four days this quarter, " +
        "mostly on the two routes that were re-tendered in the spring; the open invoices total eleven items, three of " +
        "them older than sixty days. The meeting agreed to renegotiate the delivery windows, to escalate the overdue " +
        "invoices to the account managers and to review the carrier contracts before the next quarter. The three most " +
        "important follow-ups are: first, the logistics lead confirms the new delivery windows with both carriers; " +
        "second, the finance lead chases the three overdue invoices and reports back; third, procurement prepares the " +
        "contract review with a shortlist of alternative carriers. A fourth, smaller point: the warehouse team asked " +
        "for the revised schedule two weeks ahead, so the roster can follow. Let me know if you want this as a table.";

    private static readonly byte[] Completion = BuildCompletion();
    private static readonly byte[][] Stream = BuildStream();
    private readonly WebApplication _app;

    private LoopbackOpenAIMock(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The OpenAI base URL, <c>http://127.0.0.1:port/v1</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The size of the non-streamed answer in bytes.</summary>
    public static int CompletionBytes => Completion.Length;

    public static async Task<LoopbackOpenAIMock> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        return new LoopbackOpenAIMock(app, new Uri(app.Urls.First().TrimEnd('/') + "/v1"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var stream = await AsksForStreamAsync(context.Request).ConfigureAwait(false);
        var response = context.Response;
        if (!stream)
        {
            response.ContentType = "application/json";
            response.ContentLength = Completion.Length;
            await response.Body.WriteAsync(Completion, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        foreach (var chunk in Stream)
        {
            await response.Body.WriteAsync(chunk, context.RequestAborted).ConfigureAwait(false);
            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the body and looks for <c>"stream":true</c> (both clients write it without spaces).</summary>
    private static async Task<bool> AsksForStreamAsync(HttpRequest request)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length)).ConfigureAwait(false)) > 0)
            {
                length += read;
                if (length == buffer.Length)
                {
                    throw new InvalidOperationException("request body larger than the mock reads");
                }
            }

            return buffer.AsSpan(0, length).IndexOf("\"stream\":true"u8) >= 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] BuildCompletion()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("id", "chatcmpl-mock0000000000000000000000");
            w.WriteString("object", "chat.completion");
            w.WriteNumber("created", 1_764_000_000);
            w.WriteString("model", "mock-model");
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            w.WriteString("content", Answer);
            w.WriteNull("refusal");
            w.WriteStartArray("annotations");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteNull("logprobs");
            w.WriteString("finish_reason", "stop");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", 260);
            w.WriteNumber("completion_tokens", 180);
            w.WriteNumber("total_tokens", 440);
            w.WriteStartObject("prompt_tokens_details");
            w.WriteNumber("cached_tokens", 0);
            w.WriteNumber("audio_tokens", 0);
            w.WriteEndObject();
            w.WriteStartObject("completion_tokens_details");
            w.WriteNumber("reasoning_tokens", 0);
            w.WriteNumber("audio_tokens", 0);
            w.WriteNumber("accepted_prediction_tokens", 0);
            w.WriteNumber("rejected_prediction_tokens", 0);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteString("service_tier", "default");
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
            var from = Answer.Length * i / StreamChunks;
            var to = Answer.Length * (i + 1) / StreamChunks;
            chunks[i] = Sse(w => Chunk(w, i == 0, Answer[from..to], finish: null));
        }

        chunks[StreamChunks] = Sse(w => Chunk(w, first: false, content: null, finish: "stop"));
        chunks[StreamChunks + 1] = Encoding.UTF8.GetBytes("data: [DONE]\n\n");
        return chunks;
    }

    private static void Chunk(Utf8JsonWriter w, bool first, string? content, string? finish)
    {
        w.WriteStartObject();
        w.WriteString("id", "chatcmpl-mock0000000000000000000000");
        w.WriteString("object", "chat.completion.chunk");
        w.WriteNumber("created", 1_764_000_000);
        w.WriteString("model", "mock-model");
        w.WriteString("system_fingerprint", "fp_mock");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
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
        w.WriteNull("logprobs");
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
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", 260);
            w.WriteNumber("completion_tokens", 180);
            w.WriteNumber("total_tokens", 440);
            w.WriteEndObject();
        }

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
}
