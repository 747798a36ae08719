using Microsoft.Extensions.Hosting;

namespace Aegis.Engine;

/// <summary>
/// The hosted side of the engine: builds (and so validates) the engine at start-up, so invalid
/// configuration fails the host's start rather than the first request; re-queues runs left
/// <c>pending</c> by a previous process; stops background work with the host.
/// </summary>
internal sealed class AegisBackgroundService : IHostedService
{
    private readonly AegisEngine _engine;

    public AegisBackgroundService(AegisEngine engine) => _engine = engine;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _engine.Background.EnsureStarted();
        return _engine.Background.RecoverAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _engine.Background.DisposeAsync().AsTask().WaitAsync(cancellationToken);
}
