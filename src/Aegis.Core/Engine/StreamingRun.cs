using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>
/// A run started for streaming. Ingress has already run when this is returned: if
/// <see cref="Status"/> is not <see cref="RunStatus.Running"/> or <see cref="RunStatus.Completed"/>
/// the run ended (blocked, paused, error) before any output and <see cref="Updates"/> is empty.
/// Otherwise enumerate <see cref="Updates"/> once: text is released as the route allows (a small
/// hold-back window behind generation on a truly streaming route; after the whole answer was
/// scanned on a buffered one); a late violation ends it with <see cref="ChatFinishReason.ContentFilter"/>.
/// </summary>
public sealed class StreamingRun
{
    private readonly Func<RunRecord> _current;

    internal StreamingRun(RunRecord run, bool isIncremental, IAsyncEnumerable<ChatResponseUpdate> updates, Func<RunRecord> current)
    {
        Initial = run;
        IsIncremental = isIncremental;
        Updates = updates;
        _current = current;
    }

    /// <summary>The run as it was when streaming could start.</summary>
    public RunRecord Initial { get; }

    /// <summary>The run id.</summary>
    public string RunId => Initial.Id;

    /// <summary>The status when streaming could start.</summary>
    public RunStatus Status => Initial.Status;

    /// <summary>Whether the route streams for real (every egress guard incremental) rather than buffering.</summary>
    public bool IsIncremental { get; }

    /// <summary>The run as it is now (final once <see cref="Updates"/> has been enumerated to the end).</summary>
    public RunRecord Current => _current();

    /// <summary>The governed updates. Enumerate once.</summary>
    public IAsyncEnumerable<ChatResponseUpdate> Updates { get; }
}
