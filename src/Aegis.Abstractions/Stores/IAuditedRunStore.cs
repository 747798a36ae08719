namespace Aegis;

/// <summary>
/// An <see cref="IRunStore"/> that keeps its runs in the same database as an audit ledger and can therefore store a
/// new run and append its audit entries in one write: both or neither, acknowledged by one durable commit.
/// <para>
/// The engine stores every new run through <see cref="CreateWithAuditAsync"/> when the registered run store
/// implements this interface and <see cref="SharesLedger"/> holds for the registered ledger. Otherwise it calls
/// <see cref="IRunStore.CreateAsync"/> and <see cref="IAuditLedger.AppendAsync"/>, which are two writes: a crash
/// between them can leave a stored run without its audit events, or events without their run.
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
}
