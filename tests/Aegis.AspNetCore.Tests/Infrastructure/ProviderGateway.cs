using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aegis.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A real gateway (Kestrel on 127.0.0.1, an ephemeral port, no auth) whose route <c>default</c> calls the given
/// provider, for tests that script what the model answers or look at what it receives.
/// </summary>
internal sealed class ProviderGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ProviderGateway(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The gateway's root, <c>http://127.0.0.1:port/</c>.</summary>
    public Uri BaseAddress { get; }

    public static async Task<ProviderGateway> StartAsync(IChatClient provider, Action<AegisOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAegis(o =>
        {
            o.Routes["default"] = new AegisRouteOptions { Provider = "scripted" };
            configure?.Invoke(o);
        }).AddProvider("scripted", provider);
        builder.Services.AddAegisHttp(o => o.AuthMode = AegisAuthMode.None);
        var app = builder.Build();
        app.MapAegis();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ProviderGateway(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
