using System.Globalization;

namespace Aegis;

/// <summary>
/// A process-local <see cref="IAuditLedger"/> for tests and pure-library use: one hash chain
/// (<see cref="AuditChain"/>) held in memory, appended under a lock so sequences are contiguous from 1
/// and each event chains to the one before. Thread-safe, but not durable and not shared between
/// processes.
/// </summary>
public sealed class InMemoryAuditLedger : IAuditLedger
{
    private const int MaxLimit = 10_000;

    private readonly Lock _lock = new();
    private readonly List<AuditEvent> _events = [];
    private long _headSequence;
    private string _headHash = AuditChain.GenesisHash;

    /// <summary>The sequence and hash of the last event appended (what an external verifier would pin).</summary>
    internal (long Sequence, string Hash) Head
    {
        get
        {
            lock (_lock)
            {
                return (_headSequence, _headHash);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditEvent>> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        cancellationToken.ThrowIfCancellationRequested();
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is null)
            {
                throw new ArgumentException($"entries[{i.ToString(CultureInfo.InvariantCulture)}] is null", nameof(entries));
            }
        }

        if (entries.Count == 0)
        {
            return ValueTask.FromResult<IReadOnlyList<AuditEvent>>([]);
        }

        var appended = new AuditEvent[entries.Count];
        lock (_lock)
        {
            for (var i = 0; i < entries.Count; i++)
            {
                var e = AuditChain.Link(_headSequence + 1, _headHash, entries[i]);
                _events.Add(e);
                _headSequence = e.Sequence;
                _headHash = e.Hash;
                appended[i] = e;
            }
        }

        return ValueTask.FromResult<IReadOnlyList<AuditEvent>>(appended);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditEvent>> GetRunEventsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<AuditEvent>();
        lock (_lock)
        {
            foreach (var e in _events)
            {
                if (string.Equals(e.Entry.RunId, runId, StringComparison.Ordinal))
                {
                    result.Add(e);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<AuditEvent>>(result);
    }

    /// <inheritdoc />
    public ValueTask<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        if (query.Limit is < 1 or > MaxLimit)
        {
            throw new AegisException(AegisErrors.RequestInvalidField, $"limit: {query.Limit.ToString(CultureInfo.InvariantCulture)} is not between 1 and {MaxLimit.ToString(CultureInfo.InvariantCulture)}");
        }

        if (query.AfterSequence < 0)
        {
            throw new AegisException(AegisErrors.RequestInvalidField, $"after_sequence: {query.AfterSequence.ToString(CultureInfo.InvariantCulture)} is negative");
        }

        var page = new List<AuditEvent>(Math.Min(query.Limit, 256));
        var more = false;
        lock (_lock)
        {
            foreach (var e in _events)
            {
                if (e.Sequence <= query.AfterSequence || !Matches(e.Entry, query))
                {
                    continue;
                }

                if (page.Count == query.Limit)
                {
                    more = true;
                    break;
                }

                page.Add(e);
            }
        }

        return ValueTask.FromResult(new AuditPage(page, more ? page[^1].Sequence : null));
    }

    /// <inheritdoc />
    public ValueTask<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        AuditEvent[] snapshot;
        lock (_lock)
        {
            snapshot = [.. _events];
        }

        return ValueTask.FromResult(AuditChain.Verify(snapshot));
    }

    /// <summary>
    /// Test hook: lets a test edit, delete, insert or reorder stored events (under the ledger's lock)
    /// to prove that <see cref="VerifyAsync"/> detects it. The head (next sequence and previous hash)
    /// is not changed, as it would not be by someone editing a database file.
    /// </summary>
    internal void Tamper(Action<List<AuditEvent>> tamper)
    {
        ArgumentNullException.ThrowIfNull(tamper);
        lock (_lock)
        {
            tamper(_events);
        }
    }

    private static bool Matches(AuditEntry entry, AuditQuery query) =>
        (query.PrincipalId is null || string.Equals(entry.PrincipalId, query.PrincipalId, StringComparison.Ordinal))
        && (query.Route is null || string.Equals(entry.Route, query.Route, StringComparison.Ordinal))
        && (query.RunId is null || string.Equals(entry.RunId, query.RunId, StringComparison.Ordinal))
        && (query.Since is null || entry.Timestamp >= query.Since.Value);
}
