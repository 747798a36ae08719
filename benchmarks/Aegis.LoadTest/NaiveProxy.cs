using System.Globalization;
using System.Net;
using System.Runtime;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Aegis.LoadTest;

/// <summary>
/// The reference the issue's throughput bars are set against: "a naive .NET proxy that parses, forwards and
/// re-serialises, with no governance at all". An ASP.NET Core minimal API with ASP.NET Core's defaults (server GC,
/// one shared <see cref="HttpClient"/>): it parses the request into a <see cref="JsonNode"/>, posts it to the upstream,
/// parses the answer the same way and writes it back. No keys, no guards, no storage, no streaming. It runs as
/// <c>Aegis.LoadTest naive-proxy --port P --upstream URL</c>, a child process like <c>aegis serve</c>, so the two are
/// measured the same way (scenario 7).
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
        var known = args.Length % 2 == 0;
        for (var i = 0; known && i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--port" when int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var p): port = p; break;
                case "--upstream" when Uri.TryCreate(args[i + 1].TrimEnd('/') + "/", UriKind.Absolute, out var u): upstream = u; break;
                default: known = false; break;
            }
        }

        if (!known || port is null || upstream is null)
        {
            Console.Error.WriteLine($"usage: Aegis.LoadTest {Command} --port PORT --upstream URL");
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port.Value, l => l.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        using var client = new HttpClient();
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
            context.Response.StatusCode = (int)answer.StatusCode;
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, parsed, NaiveProxyJson.Default.JsonNode, context.RequestAborted).ConfigureAwait(false);
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"naive proxy on port {port} → {upstream}; server GC {GCSettings.IsServerGC}, concurrent GC {GCSettings.LatencyMode != GCLatencyMode.Batch}"));
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonNode))]
internal sealed partial class NaiveProxyJson : System.Text.Json.Serialization.JsonSerializerContext;
