namespace Aegis;

/// <summary>
/// An <see cref="IRunStore"/> that keeps its runs in the same database as an audit ledger and can therefore write a
/// run and append its audit entries in one write: both or neither, acknowledged by one durable commit.
/// <para>
/// The engine stores every new run through <see cref="CreateWithAuditAsync"/>, and every audited change of a stored
/// run through <see cref="TryUpdateWithAuditAsync"/>, when the registered run store implements this interface and
/// <see cref="SharesLedger"/> holds for the registered ledger. Otherwise it calls the <see cref="IRunStore"/> method
/// and then <see cref="IAuditLedger.AppendAsync"/>, which are two writes: a crash between them can leave a stored run
/// without its audit events, or events without their run.
/// </para>
/// </summary>
public interface IAuditedRunStore : IRunStore
{
    /// <summary>
    /// Whether <paramref name="ledger"/> appends to the same database as this store, so that
    /// <see cref="CreateWithAuditAsync"/> writes the events <paramref name="ledger"/> reads.
    /// </summary>
    bool SharesLedger(IAuditLedger ledger);

    /// <summary>
    /// Stores a new run and appends <paramref name="entries"/> (in order) to the shared ledger atomically, and returns
    /// them as chained events. Throws <see cref="AegisException"/> if the id exists; nothing is appended then.
    /// </summary>
    ValueTask<IReadOnlyList<AuditEvent>> CreateWithAuditAsync(RunRecord run, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="IRunStore.TryUpdateAsync"/> and, only if it wins, the append of <paramref name="entries"/> to the shared
    /// ledger, atomically. Returns the chained events, or <see langword="null"/> when the run is missing or its stored
    /// status is not <paramref name="expectedStatus"/>: nothing is written then.
    /// </summary>
    ValueTask<IReadOnlyList<AuditEvent>?> TryUpdateWithAuditAsync(RunRecord run, RunStatus expectedStatus, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default);
}
