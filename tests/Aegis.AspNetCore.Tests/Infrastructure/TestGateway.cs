using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aegis.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A real gateway for tests: Kestrel on 127.0.0.1 with an ephemeral port, AddAegis + AddAegisHttp + MapAegis,
/// the fake provider in echo mode, and test guards: ingress blocks on "forbidden", asks for approval on
/// "approve-me" (with a reason containing markup, to check encoding), and the route "scripted" calls tools.
/// <see cref="StartWithProviderAsync"/> instead routes <c>default</c> to a provider the test scripts.
/// </summary>
internal sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGateway(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestGateway> StartAsync(
        AegisAuthMode mode = AegisAuthMode.Keys,
        string prefix = "",
        Action<AegisHttpOptions>? http = null,
        Action<IServiceCollection>? services = null,
        Action<AegisOptions>? aegis = null,
        Action<AegisBuilder>? builderAction = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var aegisBuilder = builder.Services.AddAegis(o =>
        {
            o.Providers["fake"] = new ProviderOptions { Type = "fake", Echo = true };
            o.Routes["default"] = new AegisRouteOptions { Provider = "fake" };
            o.Routes["scripted"] = new AegisRouteOptions { Provider = "tools" };
            o.Routes["restricted"] = new AegisRouteOptions { Provider = "fake", Principals = ["bob"] };
            o.Pipeline.Ingress = ["blocker", "approver"];
            o.Pipeline.ToolResult = ["tool-blocker"];
            aegis?.Invoke(o);
        })
        .AddGuardrail("blocker", new WordGuard("blocker", "forbidden", VerdictKind.Block))
        .AddGuardrail("approver", new WordGuard("approver", "approve-me", VerdictKind.RequireApproval))
        .AddGuardrail("tool-blocker", new WordGuard("tool-blocker", "poison", VerdictKind.Block))
        .AddProvider("tools", new FakeChatClient(new FakeChatClientOptions { Echo = true, ToolCalls = [new FakeToolCall("get_weather", """{"city":"Paris"}""")] }));
        builderAction?.Invoke(aegisBuilder);
        builder.Services.AddAegisHttp(o =>
        {
            o.AuthMode = mode;
            http?.Invoke(o);
        });
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapAegis(prefix);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseUri = new Uri(address.TrimEnd('/') + (prefix.Length == 0 ? "/" : "/" + prefix.Trim('/') + "/"));
        return new TestGateway(app, baseUri);
    }

    /// <summary>
    /// A gateway without auth whose route <c>default</c> calls <paramref name="provider"/> (the test scripts what the model
    /// answers or looks at what it receives), with no guards unless <paramref name="configure"/> adds them.
    /// </summary>
    public static Task<TestGateway> StartWithProviderAsync(Microsoft.Extensions.AI.IChatClient provider, Action<AegisOptions>? configure = null) =>
        StartAsync(
            AegisAuthMode.None,
            aegis: o =>
            {
                o.Routes["default"] = new AegisRouteOptions { Provider = "scripted" };
                o.Pipeline = new PipelineOptions();
                configure?.Invoke(o);
            },
            builderAction: b => b.AddProvider("scripted", provider));

    public async Task<string> CreateKeyAsync(string principal, string? team = null)
    {
        var created = await Services.GetRequiredService<IApiKeyStore>().CreateAsync(new ApiKeyRequest { Name = principal + "-key", PrincipalId = principal, Team = team });
        return created.Key;
    }

    public async Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null, string? key = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response, body);
    }

    public Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(string path, string json, string? key = null) => SendAsync(HttpMethod.Post, path, json, key);

    public Task<(HttpResponseMessage Response, JsonElement Body)> GetAsync(string path, string? key = null) => SendAsync(HttpMethod.Get, path, null, key);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A guard that returns <paramref name="kind"/> when the content contains a word.</summary>
internal sealed class WordGuard(string name, string word, VerdictKind kind) : IGuardrail
{
    public string Name { get; } = name;

    public ValueTask<Verdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken = default)
    {
        foreach (var message in context.Content)
        {
            foreach (var content in message.Contents)
            {
                var text = content switch
                {
                    Microsoft.Extensions.AI.TextContent t => t.Text,
                    Microsoft.Extensions.AI.FunctionResultContent r => r.Result?.ToString() ?? string.Empty,
                    _ => string.Empty,
                };
                if (text.Contains(word, StringComparison.OrdinalIgnoreCase))
                {
                    return ValueTask.FromResult(kind == VerdictKind.Block
                        ? Verdict.Block($"contains {word}")
                        : Verdict.RequireApproval($"contains {word} <b>&</b>"));
                }
            }
        }

        return ValueTask.FromResult(Verdict.Allow);
    }
}

/// <summary>Assertions on the one error shape.</summary>
internal static class ErrorAssert
{
    public static void Coded(HttpResponseMessage response, JsonElement body, int status, string code, string type)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var error = body.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(type, error.GetProperty("type").GetString());
        foreach (var field in new[] { "what", "why", "fix", "message" })
        {
            Assert.False(string.IsNullOrEmpty(error.GetProperty(field).GetString()), field);
        }

        Assert.Contains(code, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body.ToString(), StringComparison.Ordinal);
    }
}
