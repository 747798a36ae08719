using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Aegis.Engine;

/// <summary>
/// Runs background (<c>pending</c>) runs. Consumers start with the host (see
/// <see cref="AegisBackgroundService"/>) or, without a host, on the first enqueue, so a background
/// run never stays pending just because nobody started a worker.
/// </summary>
internal sealed partial class BackgroundRunQueue : IAsyncDisposable
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly AegisEngine _engine;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Task[]? _consumers;
    private int _disposed;

    public BackgroundRunQueue(AegisEngine engine, ILogger logger)
    {
        _engine = engine;
        _logger = logger;
    }

    public void Enqueue(string runId)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        EnsureStarted();
        _channel.Writer.TryWrite(runId);
    }

    /// <summary>Re-queues runs left <c>pending</c> by a previous process.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = await _engine.Runs.ListAsync(new RunQuery { Status = RunStatus.Pending, Limit = 500, Cursor = cursor }, cancellationToken).ConfigureAwait(false);
            foreach (var run in page.Runs)
            {
                Enqueue(run.Id);
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    public void EnsureStarted()
    {
        if (_consumers is not null)
        {
            return;
        }

        lock (_gate)
        {
            if (_consumers is null)
            {
                var n = Math.Max(2, Environment.ProcessorCount);
                var consumers = new Task[n];
                for (var i = 0; i < n; i++)
                {
                    consumers[i] = Task.Run(ConsumeAsync);
                }

                _consumers = consumers;
            }
        }
    }

    /// <summary>Stops the consumers; safe to call more than once (the host stops it, then the container disposes the engine).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _channel.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_consumers is { } consumers)
        {
            await Task.WhenAll(consumers).ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task ConsumeAsync()
    {
        try
        {
            await foreach (var runId in _channel.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await _engine.ExecutePendingAsync(runId, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    LogFailed(_logger, ex, runId);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "Background run {RunId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string runId);
}
