using System.Globalization;
using System.Text;
using Aegis.Storage.Sqlite.Audit;
using Aegis.Storage.Sqlite.Writes;
using Microsoft.Data.Sqlite;

namespace Aegis;

/// <summary>
/// <see cref="IAuditLedger"/> on a <see cref="SqliteDatabase"/>: an append-only table (triggers refuse
/// UPDATE and DELETE) chained with <see cref="AuditChain"/>, one chain per database. An append keeps each run's
/// events as one row (<see cref="AuditSegments"/>), so a run's write costs one row and its index entries, not one per event.
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
    private const string Columns = AuditSegments.Columns;
    private const int VerifyPageSize = 2048; // segments a page
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
        Validate(entries);
        if (entries.Count == 0)
        {
            return [];
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
            var command = lease.Command($"SELECT {Columns} FROM audit_segments WHERE run_id = $run ORDER BY first_seq;");
            command.Parameters.AddWithValue("$run", runId);
            var events = new List<AuditEvent>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                ReadSegment(reader, events);
            }

            return ValueTask.FromResult<IReadOnlyList<AuditEvent>>(events);
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

        // From the segment that holds event after + 1 (segments are contiguous and never overlap), and with a time,
        // from the first segment that can hold an event at or after it ($from, found by AuditSegments).
        var sql = new StringBuilder($"SELECT {Columns} FROM audit_segments WHERE last_seq > $after AND first_seq >= max($from, "
            + "coalesce((SELECT first_seq FROM audit_segments WHERE first_seq <= $after + 1 ORDER BY first_seq DESC LIMIT 1), 0))");
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

        var sinceTicks = query.Since?.UtcTicks;
        if (sinceTicks is not null)
        {
            sql.Append(" AND max_ts >= $since");
        }

        sql.Append(" ORDER BY first_seq;");
        try
        {
            using var lease = _database.Rent();
            var command = lease.Command(sql.ToString());
            var p = command.Parameters;
            p.AddWithValue("$after", query.AfterSequence);
            p.AddWithValue("$from", sinceTicks is { } from ? AuditSegments.FirstSequenceReaching(lease.Connection, from) : 0L);
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

            if (sinceTicks is { } since)
            {
                p.AddWithValue("$since", since);
            }

            var events = new List<AuditEvent>();
            var wanted = query.Limit + 1; // one more than a page tells whether another page follows
            using (var reader = command.ExecuteReader())
            {
                while (events.Count < wanted && reader.Read())
                {
                    ReadSegment(reader, events, query.AfterSequence, sinceTicks, wanted);
                }
            }

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
            var chain = new StoredChain(this, cancellationToken);
            var result = AuditChain.Verify(chain.Events());
            return ValueTask.FromResult(result.IsValid && chain.UnreadableRow is { } row
                ? new AuditVerification(false, chain.Count, row.First, Unreadable(row.First, row.Last))
                : result);
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

    private static void ReadSegment(SqliteDataReader reader, List<AuditEvent> into, long afterSequence = 0, long? sinceTicks = null, int limit = int.MaxValue)
    {
        if (!AuditSegments.TryRead(reader, into, afterSequence, sinceTicks, limit))
        {
            throw new AegisException(AegisErrors.StoreFailed, Unreadable(reader.GetInt64(0), reader.GetInt64(1)) + " (aegis audit verify reports the ledger)");
        }
    }

    /// <summary>What is wrong with a row whose events cannot be read: for verification's report and for a read's error.</summary>
    private static string Unreadable(long first, long last) =>
        string.Create(CultureInfo.InvariantCulture, $"audit events {first} to {last} cannot be read: their stored row was edited");

    /// <summary>
    /// The whole chain in sequence order, paged so it is never held in memory. A row that cannot be read ends
    /// it early and is reported in <see cref="UnreadableRow"/>.
    /// </summary>
    private sealed class StoredChain(SqliteAuditLedger ledger, CancellationToken cancellationToken)
    {
        /// <summary>The first row that could not be read, if any.</summary>
        public (long First, long Last)? UnreadableRow { get; private set; }

        /// <summary>Events read so far.</summary>
        public long Count { get; private set; }

        public IEnumerable<AuditEvent> Events()
        {
            long after = 0;
            var page = new List<AuditEvent>();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                page.Clear();
                var segments = 0;
                using (var lease = ledger._database.Rent())
                {
                    var command = lease.Command($"SELECT {Columns} FROM audit_segments WHERE first_seq > $after ORDER BY first_seq LIMIT $limit;");
                    command.Parameters.AddWithValue("$after", after);
                    command.Parameters.AddWithValue("$limit", VerifyPageSize);
                    using var reader = command.ExecuteReader();
                    while (reader.Read())
                    {
                        segments++;
                        after = reader.GetInt64(0);
                        if (!AuditSegments.TryRead(reader, page))
                        {
                            UnreadableRow = (after, reader.GetInt64(1));
                            break;
                        }
                    }
                }

                foreach (var e in page)
                {
                    Count++;
                    yield return e;
                }

                if (UnreadableRow is not null || segments < VerifyPageSize)
                {
                    yield break;
                }
            }
        }
    }

    /// <summary>The database this ledger appends to (a <see cref="SqliteRunStore"/> on it can write runs and events together).</summary>
    internal SqliteDatabase Database => _database;

    /// <summary>Checks what <see cref="AppendAsync"/> accepts: a list with no <see langword="null"/> entry.</summary>
    internal static void Validate(IReadOnlyList<AuditEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry, nameof(entries));
        }
    }

    /// <summary>Links <paramref name="entries"/> after the batch's chain head, inserts them as one segment and advances the head.</summary>
    internal static AuditEvent[] Append(WriteBatch batch, IReadOnlyList<AuditEntry> entries)
    {
        var (sequence, previous, timestampHigh) = batch.AuditHead();
        var events = new AuditEvent[entries.Count];
        for (var j = 0; j < entries.Count; j++)
        {
            var e = AuditChain.Link(sequence, previous, entries[j]);
            events[j] = e;
            previous = e.Hash;
            sequence++;
        }

        timestampHigh = AuditSegments.Write(batch, events, timestampHigh);
        batch.AdvanceAuditHead(sequence, previous, timestampHigh);
        return events;
    }

    /// <summary>One <see cref="AppendAsync"/> call: its entries are linked and inserted contiguously.</summary>
    private sealed class AppendOperation(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
        : WriteOperation<IReadOnlyList<AuditEvent>>(cancellationToken)
    {
        public override int Weight => entries.Count;

        public override string Description => "appending to the audit ledger";

        protected override IReadOnlyList<AuditEvent> Run(WriteBatch batch) => Append(batch, entries);
    }
}
