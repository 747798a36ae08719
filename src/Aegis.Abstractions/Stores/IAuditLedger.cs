namespace Aegis;

/// <summary>
/// The append-only, hash-chained audit ledger (one chain per ledger). An append is acknowledged only
/// once durable (for a durable implementation); nothing is ever updated or deleted.
/// </summary>
public interface IAuditLedger
{
    /// <summary>Appends entries in order and returns them as chained events.</summary>
    ValueTask<IReadOnlyList<AuditEvent>> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>All events of one run, in ledger order.</summary>
    ValueTask<IReadOnlyList<AuditEvent>> GetRunEventsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Events filtered and paged, in ledger order.</summary>
    ValueTask<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>Walks the whole chain and reports the first broken link.</summary>
    ValueTask<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default);
}

/// <summary>Filters for <see cref="IAuditLedger.QueryAsync"/>; set filters AND together.</summary>
public sealed record AuditQuery
{
    /// <summary>Only events of this principal id.</summary>
    public string? PrincipalId { get; init; }

    /// <summary>Only events of this route.</summary>
    public string? Route { get; init; }

    /// <summary>Only events of this run.</summary>
    public string? RunId { get; init; }

    /// <summary>Only events at or after this instant.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only events with a sequence number greater than this (paging).</summary>
    public long AfterSequence { get; init; }

    /// <summary>Page size (1-10000).</summary>
    public int Limit { get; init; } = 1000;
}

/// <summary>One page of audit events.</summary>
/// <param name="Events">The events, in ledger order.</param>
/// <param name="NextAfterSequence">Pass as <see cref="AuditQuery.AfterSequence"/> for the next page; <see langword="null"/> on the last page.</param>
public sealed record AuditPage(IReadOnlyList<AuditEvent> Events, long? NextAfterSequence);
