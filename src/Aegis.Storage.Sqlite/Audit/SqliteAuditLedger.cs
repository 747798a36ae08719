using System.Globalization;
using System.Text;
using Aegis.Storage.Sqlite.Serialization;
using Aegis.Storage.Sqlite.Writes;
using Microsoft.Data.Sqlite;

namespace Aegis;

/// <summary>
/// <see cref="IAuditLedger"/> on a <see cref="SqliteDatabase"/>: an append-only table (triggers refuse
/// UPDATE and DELETE) chained with <see cref="AuditChain"/>, one chain per database.
/// <para>
/// Appends use group commit: concurrent <see cref="AppendAsync"/> calls are queued on the database's
/// single writer, which writes everything queued (audit appends and <see cref="SqliteRunStore"/> run
/// writes alike) in one transaction, completing each caller only after COMMIT (with WAL and
/// <c>synchronous=FULL</c>, after the fsync), so an acknowledged event is durable.
/// The writer reads the chain head inside its <c>BEGIN IMMEDIATE</c> transaction, so several processes
/// appending to one file extend one chain and never fork it.
/// </para>
/// </summary>
public sealed class SqliteAuditLedger : IAuditLedger, IDisposable, IAsyncDisposable
{
    private const string Columns = "seq, ts, run_id, principal_id, route, stage, node, verdict, status, reason, code, prev_hash, hash";
    private const int VerifyPageSize = 2048;
    private readonly SqliteDatabase _database;
    private volatile bool _disposed;

    /// <summary>Creates the ledger over an opened database (appends go through the database's writer).</summary>
    public SqliteAuditLedger(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AuditEvent>> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return [];
        }

        foreach (var entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry, nameof(entries));
        }

        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        var append = new AppendOperation(entries, cancellationToken);
        ObjectDisposedException.ThrowIf(!_database.Writer.TryEnqueue(append), this);

        // Not WaitAsync(cancellationToken): once the writer has taken the entries they are committed,
        // and the caller must learn the outcome. The writer drops entries whose caller cancelled before.
        return await append.Completion.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AuditEvent>> GetRunEventsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var lease = _database.Rent();
            var command = lease.Command($"SELECT {Columns} FROM audit_events WHERE run_id = $run ORDER BY seq;");
            command.Parameters.AddWithValue("$run", runId);
            return ValueTask.FromResult<IReadOnlyList<AuditEvent>>(ReadAll(command));
        }
        catch (Exception ex) when (ex is not AegisException)
        {
            throw _database.Failed($"reading the audit events of run {runId}", ex);
        }
    }

    /// <inheritdoc />
    public ValueTask<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        if (query.Limit is < 1 or > 10000)
        {
            throw new AegisException(AegisErrors.RequestInvalidField, string.Create(CultureInfo.InvariantCulture, $"limit: {query.Limit} is not between 1 and 10000"));
        }

        if (query.AfterSequence < 0)
        {
            throw new AegisException(AegisErrors.RequestInvalidField, string.Create(CultureInfo.InvariantCulture, $"after_sequence: {query.AfterSequence} is negative"));
        }

        var sql = new StringBuilder($"SELECT {Columns} FROM audit_events WHERE seq > $after");
        if (query.PrincipalId is not null)
        {
            sql.Append(" AND principal_id = $principal");
        }

        if (query.Route is not null)
        {
            sql.Append(" AND route = $route");
        }

        if (query.RunId is not null)
        {
            sql.Append(" AND run_id = $run");
        }

        if (query.Since is not null)
        {
            sql.Append(" AND ts >= $since");
        }

        sql.Append(" ORDER BY seq LIMIT $limit;");
        try
        {
            using var lease = _database.Rent();
            var command = lease.Command(sql.ToString());
            var p = command.Parameters;
            p.AddWithValue("$after", query.AfterSequence);
            if (query.PrincipalId is not null)
            {
                p.AddWithValue("$principal", query.PrincipalId);
            }

            if (query.Route is not null)
            {
                p.AddWithValue("$route", query.Route);
            }

            if (query.RunId is not null)
            {
                p.AddWithValue("$run", query.RunId);
            }

            if (query.Since is { } since)
            {
                p.AddWithValue("$since", since.UtcTicks);
            }

            p.AddWithValue("$limit", query.Limit + 1);
            var events = ReadAll(command);
            long? next = null;
            if (events.Count > query.Limit)
            {
                events.RemoveAt(events.Count - 1);
                next = events[^1].Sequence;
            }

            return ValueTask.FromResult(new AuditPage(events, next));
        }
        catch (Exception ex) when (ex is not AegisException)
        {
            throw _database.Failed("querying the audit ledger", ex);
        }
    }

    /// <inheritdoc />
    public ValueTask<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return ValueTask.FromResult(AuditChain.Verify(ReadChain(cancellationToken)));
        }
        catch (Exception ex) when (ex is not AegisException and not OperationCanceledException)
        {
            throw _database.Failed("verifying the audit ledger", ex);
        }
    }

    /// <summary>Stops accepting appends and waits for the queued ones to be written.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await _database.Writer.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Stops accepting appends and waits for the queued ones to be written.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Pages through the whole chain in sequence order without holding it in memory.</summary>
    private IEnumerable<AuditEvent> ReadChain(CancellationToken cancellationToken)
    {
        long after = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<AuditEvent> page;
            using (var lease = _database.Rent())
            {
                var command = lease.Command($"SELECT {Columns} FROM audit_events WHERE seq > $after ORDER BY seq LIMIT $limit;");
                command.Parameters.AddWithValue("$after", after);
                command.Parameters.AddWithValue("$limit", VerifyPageSize);
                page = ReadAll(command);
            }

            foreach (var e in page)
            {
                yield return e;
            }

            if (page.Count < VerifyPageSize)
            {
                yield break;
            }

            after = page[^1].Sequence;
        }
    }

    private static List<AuditEvent> ReadAll(SqliteCommand command)
    {
        var events = new List<AuditEvent>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            events.Add(Read(reader));
        }

        return events;
    }

    private static AuditEvent Read(SqliteDataReader r)
    {
        GuardStage? stage = !r.IsDBNull(5) && GuardStageNames.TryParse(r.GetString(5), out var s) ? s : null;
        VerdictKind? verdict = !r.IsDBNull(7) && VerdictKindNames.TryParse(r.GetString(7), out var v) ? v : null;
        RunStatus? status = !r.IsDBNull(8) && RunStatusNames.TryParse(r.GetString(8), out var st) ? st : null;
        return new AuditEvent
        {
            Sequence = r.GetInt64(0),
            Entry = new AuditEntry
            {
                Timestamp = UtcTicks.ToInstant(r.GetInt64(1)),
                RunId = r.GetString(2),
                PrincipalId = r.GetString(3),
                Route = r.GetString(4),
                Stage = stage,
                Node = r.IsDBNull(6) ? null : r.GetString(6),
                Verdict = verdict,
                Status = status,
                Reason = r.IsDBNull(9) ? null : r.GetString(9),
                Code = r.IsDBNull(10) ? null : r.GetString(10),
            },
            PreviousHash = r.GetString(11),
            Hash = r.GetString(12),
        };
    }

    /// <summary>One <see cref="AppendAsync"/> call: its entries are linked and inserted contiguously.</summary>
    private sealed class AppendOperation(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
        : WriteOperation<IReadOnlyList<AuditEvent>>(cancellationToken)
    {
        private const string Insert = "INSERT INTO audit_events (seq, ts, run_id, principal_id, route, stage, node, verdict, status, reason, code, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13);";

        public override int Weight => entries.Count;

        public override string Description => "appending to the audit ledger";

        protected override IReadOnlyList<AuditEvent> Run(WriteBatch batch)
        {
            var (sequence, previous) = batch.AuditHead();
            var insert = batch.Statement(Insert);
            var events = new AuditEvent[entries.Count];
            for (var j = 0; j < entries.Count; j++)
            {
                var entry = entries[j];
                var e = AuditChain.Link(sequence, previous, entry);
                insert.BindInt64(1, sequence);
                insert.BindInt64(2, entry.Timestamp.UtcTicks);
                insert.BindText(3, entry.RunId);
                insert.BindText(4, entry.PrincipalId);
                insert.BindText(5, entry.Route);
                insert.BindText(6, entry.Stage?.ToWire());
                insert.BindText(7, entry.Node);
                insert.BindText(8, entry.Verdict?.ToWire());
                insert.BindText(9, entry.Status?.ToWire());
                insert.BindText(10, entry.Reason);
                insert.BindText(11, entry.Code);
                insert.BindText(12, previous);
                insert.BindText(13, e.Hash);
                insert.Execute();
                events[j] = e;
                previous = e.Hash;
                sequence++;
            }

            batch.AdvanceAuditHead(sequence, previous);
            return events;
        }
    }
}
