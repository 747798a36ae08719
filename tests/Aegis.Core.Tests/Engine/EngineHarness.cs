using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Aegis.Core.Tests.Engine;

/// <summary>Builds an engine through the real DI registration, with a recording echo provider.</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public EngineHarness(Action<AegisOptions>? configure = null, Action<AegisBuilder>? register = null, IChatClient? provider = null)
    {
        Provider = new RecordingChatClient(provider ?? new FakeChatClient(new FakeChatClientOptions { Echo = true }));
        var services = new ServiceCollection();
        var builder = services.AddAegis(o =>
        {
            o.Routes["default"] = new AegisRouteOptions { Provider = "test" };
            configure?.Invoke(o);
        });
        builder.AddProvider("test", Provider);
        register?.Invoke(builder);
        _services = services.BuildServiceProvider();
        Engine = _services.GetRequiredService<AegisEngine>();
    }

    public RecordingChatClient Provider { get; }

    public AegisEngine Engine { get; }

    public IServiceProvider Services => _services;

    public static RunRequest Ask(string text, string route = "default", Principal? principal = null, IReadOnlyList<string>? approvers = null, bool background = false) => new()
    {
        Messages = [new ChatMessage(ChatRole.User, text)],
        Route = route,
        Principal = principal ?? Principal.Local,
        Approvers = approvers ?? [],
        Background = background,
    };

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
