using System.Globalization;
using System.Net;
using System.Runtime;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aegis.Benchmarking;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.AI;

namespace Aegis.LoadTest;

/// <summary>
/// The reference the issue's throughput bars are set against: "a naive .NET proxy that parses, forwards and
/// re-serialises, with no governance at all". An ASP.NET Core minimal API with ASP.NET Core's defaults (server GC,
/// one shared <see cref="HttpClient"/>): it parses the request into a <see cref="JsonNode"/>, posts it to the upstream,
/// parses the answer the same way and writes it back. No keys, no guards, no storage, no streaming. It runs as
/// <c>Aegis.LoadTest naive-proxy --port P --upstream URL</c>, a child process like <c>aegis serve</c>, so the two are
/// measured the same way (scenario 7).
/// <para>
/// With <c>--store PATH</c> it also writes, before it answers, what the gateway writes for a pass-through run: the run
/// (its messages, the answer, usage) and its two status events, through <see cref="SqliteRunStore"/> and
/// <see cref="SqliteAuditLedger"/> on a SQLite file, awaited as the gateway awaits them (scenario 8). The difference
/// between 7 and 8 is what a durable acknowledgement costs any proxy on this machine; between 8 and 2, the gateway's
/// own work (keys, engine, its JSON, its client).
/// </para>
/// </summary>
internal static class NaiveProxy
{
    public const string Command = "naive-proxy";

    /// <summary>ASP.NET Core's own runtime defaults (this harness's runtimeconfig turns server GC off for itself).</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> AspNetCoreRuntimeDefaults =
    [
        new("DOTNET_gcServer", "1"),
        new("DOTNET_gcConcurrent", "1"),
    ];

    public static async Task<int> ServeAsync(string[] args)
    {
        int? port = null;
        Uri? upstream = null;
        string? storePath = null;
        var known = args.Length % 2 == 0;
        for (var i = 0; known && i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--port" when int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var p): port = p; break;
                case "--upstream" when Uri.TryCreate(args[i + 1].TrimEnd('/') + "/", UriKind.Absolute, out var u): upstream = u; break;
                case "--store": storePath = args[i + 1]; break;
                default: known = false; break;
            }
        }

        if (!known || port is null || upstream is null)
        {
            Console.Error.WriteLine($"usage: Aegis.LoadTest {Command} --port PORT --upstream URL [--store PATH]");
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port.Value, l => l.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        using var client = new HttpClient();
        using var database = storePath is null ? null : SqliteDatabase.Open(storePath);
        var runs = database is null ? null : new SqliteRunStore(database);
        var completions = new Uri(upstream, "chat/completions");
        app.MapGet("/v1/models", () => Results.Text("""{"object":"list","data":[]}""", "application/json"));
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            var request = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            if (request is not JsonObject body || body["stream"]?.GetValue<bool>() == true)
            {
                context.Response.StatusCode = 400;
                return;
            }

            using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, NaiveProxyJson.Default.JsonNode));
            content.Headers.ContentType = new("application/json");
            using var answer = await client.PostAsync(completions, content, context.RequestAborted).ConfigureAwait(false);
            await using var stream = await answer.Content.ReadAsStreamAsync(context.RequestAborted).ConfigureAwait(false);
            var parsed = await JsonNode.ParseAsync(stream, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            if (runs is not null)
            {
                await StoreAsync(runs, body, parsed).ConfigureAwait(false);
            }

            context.Response.StatusCode = (int)answer.StatusCode;
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, parsed, NaiveProxyJson.Default.JsonNode, context.RequestAborted).ConfigureAwait(false);
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"naive proxy on port {port} → {upstream}; server GC {GCSettings.IsServerGC}, concurrent GC {GCSettings.LatencyMode != GCLatencyMode.Batch}"));
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>The run and audit writes of a completed pass-through run, in one write as the gateway makes them (one group commit).</summary>
    private static async Task StoreAsync(SqliteRunStore runs, JsonObject request, JsonNode? answer)
    {
        var messages = new List<ChatMessage>();
        foreach (var message in request["messages"]?.AsArray() ?? [])
        {
            messages.Add(new ChatMessage(new ChatRole(message?["role"]?.GetValue<string>() ?? "user"), message?["content"]?.GetValue<string>()));
        }

        var text = answer?["choices"]?[0]?["message"]?["content"]?.GetValue<string>();
        messages.Add(new ChatMessage(ChatRole.Assistant, text));
        var usage = answer?["usage"];
        var now = TimeProvider.System.GetUtcNow();
        var run = new RunRecord
        {
            Id = Guid.CreateVersion7(now).ToString(),
            Route = GatewayConfig.PassthroughRoute,
            PrincipalId = "loadtest",
            Status = RunStatus.Completed,
            Messages = messages,
            Response = text,
            Usage = new RunUsage(usage?["prompt_tokens"]?.GetValue<long>() ?? 0, usage?["completion_tokens"]?.GetValue<long>() ?? 0),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await runs.CreateWithAuditAsync(run, [BenchmarkAudit.Status(run, RunStatus.Running), BenchmarkAudit.Status(run, RunStatus.Completed)]).ConfigureAwait(false);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonNode))]
internal sealed partial class NaiveProxyJson : System.Text.Json.Serialization.JsonSerializerContext;
