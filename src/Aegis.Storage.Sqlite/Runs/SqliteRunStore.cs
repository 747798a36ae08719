using System.Globalization;
using System.Text;
using Aegis.Storage.Sqlite.Connections;
using Aegis.Storage.Sqlite.Runs;
using Aegis.Storage.Sqlite.Serialization;
using Aegis.Storage.Sqlite.Writes;
using Microsoft.Data.Sqlite;

namespace Aegis;

/// <summary>
/// <see cref="IRunStore"/> on a <see cref="SqliteDatabase"/>: one row per run with indexed columns for
/// the filters (id, route, principal, status, creation time) and a JSON payload for the rest. A
/// checkpoint's mask map is encrypted with AES-256-GCM before it is written.
/// <see cref="TryUpdateAsync"/> is a single <c>UPDATE … WHERE id = @id AND status = @expected</c>,
/// a compare-and-set that holds across every process sharing the file.
/// <para>
/// <see cref="CreateAsync"/> and <see cref="TryUpdateAsync"/> go through the database's single
/// group-commit writer (shared with <see cref="SqliteAuditLedger"/>): concurrent writes share one
/// transaction and one fsync, each with its own result (a failing one, such as a duplicate id, fails
/// only its own call), and each call completes only after the COMMIT that holds its write.
/// </para>
/// </summary>
public sealed class SqliteRunStore : IAuditedRunStore
{
    private const string Columns = "seq, id, route, principal_id, status, created_at, payload, mask_map, updated_at";
    private readonly SqliteDatabase _database;

    /// <summary>Creates the store over an opened database.</summary>
    public SqliteRunStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public ValueTask CreateAsync(RunRecord run, CancellationToken cancellationToken = default) =>
        new(EnqueueCreate(run, [], cancellationToken));

    /// <inheritdoc />
    /// <remarks>True for a <see cref="SqliteAuditLedger"/> on the same <see cref="SqliteDatabase"/> instance.</remarks>
    public bool SharesLedger(IAuditLedger ledger) => ledger is SqliteAuditLedger sqlite && ReferenceEquals(sqlite.Database, _database);

    /// <inheritdoc />
    /// <remarks>
    /// One operation on the database's writer: the run's row and the entries' segment are written in the same
    /// transaction, after the chain head that transaction reads, so they commit (and are acknowledged) together.
    /// </remarks>
    public ValueTask<IReadOnlyList<AuditEvent>> CreateWithAuditAsync(RunRecord run, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default) =>
        new(EnqueueCreate(run, entries, cancellationToken));

    /// <inheritdoc />
    /// <remarks>One operation on the database's writer: the compare-and-set, then the segment only if it changed the row.</remarks>
    public ValueTask<IReadOnlyList<AuditEvent>?> TryUpdateWithAuditAsync(RunRecord run, RunStatus expectedStatus, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default) =>
        new(EnqueueUpdate(run, expectedStatus, entries, cancellationToken));

    /// <inheritdoc />
    public ValueTask<RunRecord?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var lease = _database.Rent();
            var command = lease.Command($"SELECT {Columns} FROM runs WHERE id = $id;");
            command.Parameters.AddWithValue("$id", runId);
            using var reader = command.ExecuteReader();
            return ValueTask.FromResult(reader.Read() ? ReadRun(reader) : null);
        }
        catch (Exception ex) when (ex is not AegisException)
        {
            throw _database.Failed($"reading run {runId}", ex);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryUpdateAsync(RunRecord run, RunStatus expectedStatus, CancellationToken cancellationToken = default)
    {
        // Enqueued here, so that bad arguments and a closed database throw from this call as from the others.
        var update = EnqueueUpdate(run, expectedStatus, [], cancellationToken);
        return Changed(update);

        static async ValueTask<bool> Changed(Task<IReadOnlyList<AuditEvent>?> update) => await update.ConfigureAwait(false) is not null;
    }

    /// <inheritdoc />
    public ValueTask<RunPage> ListAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        if (query.Limit is < 1 or > 1000)
        {
            throw new AegisException(AegisErrors.RequestInvalidField, string.Create(CultureInfo.InvariantCulture, $"limit: {query.Limit} is not between 1 and 1000"));
        }

        long cursorTicks = 0, cursorSeq = 0;
        if (query.Cursor is not null && !TryParseCursor(query.Cursor, out cursorTicks, out cursorSeq))
        {
            throw new AegisException(AegisErrors.RequestInvalidField, $"cursor: '{query.Cursor}' is not a cursor returned by a previous page");
        }

        try
        {
            using var lease = _database.Rent();
            var command = lease.Command(ListSql(query));
            var parameters = command.Parameters;
            if (query.PrincipalId is not null)
            {
                parameters.AddWithValue("$principal", query.PrincipalId);
            }

            if (query.Route is not null)
            {
                parameters.AddWithValue("$route", query.Route);
            }

            if (query.Since is { } since)
            {
                parameters.AddWithValue("$since", since.UtcTicks);
            }

            if (query.Status is { } status)
            {
                parameters.AddWithValue("$status", status.ToWire());
            }

            if (query.Cursor is not null)
            {
                parameters.AddWithValue("$cursor_ticks", cursorTicks);
                parameters.AddWithValue("$cursor_seq", cursorSeq);
            }

            parameters.AddWithValue("$limit", query.Limit + 1);
            var runs = new List<RunRecord>(Math.Min(query.Limit, 128));
            string? next = null;
            using var reader = command.ExecuteReader();
            long lastSeq = 0, lastTicks = 0;
            while (reader.Read())
            {
                if (runs.Count == query.Limit)
                {
                    next = string.Create(CultureInfo.InvariantCulture, $"{lastTicks}.{lastSeq}");
                    break;
                }

                lastSeq = reader.GetInt64(0);
                lastTicks = reader.GetInt64(5);
                runs.Add(ReadRun(reader));
            }

            return ValueTask.FromResult(new RunPage(runs, next));
        }
        catch (Exception ex) when (ex is not AegisException)
        {
            throw _database.Failed("listing runs", ex);
        }
    }

    /// <summary>
    /// The <c>SELECT</c> of <see cref="ListAsync"/> for the filters <paramref name="query"/> sets, newest first
    /// (<c>created_at</c>, then <c>seq</c>): parameters <c>$principal</c>, <c>$route</c>, <c>$since</c>, <c>$status</c>,
    /// <c>$cursor_ticks</c>, <c>$cursor_seq</c> (those it uses) and <c>$limit</c>. Every combination is served by one of
    /// the <c>runs_by_*</c> indexes, walked in order, without a sort (a test checks the query plans).
    /// </summary>
    internal static string ListSql(RunQuery query)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM runs WHERE 1 = 1");
        if (query.PrincipalId is not null)
        {
            sql.Append(" AND principal_id = $principal");
        }

        if (query.Route is not null)
        {
            sql.Append(" AND route = $route");
        }

        if (query.Since is not null)
        {
            sql.Append(" AND created_at >= $since");
        }

        if (query.Status is not null)
        {
            sql.Append(" AND status = $status");
        }

        if (query.Cursor is not null)
        {
            sql.Append(" AND (created_at < $cursor_ticks OR (created_at = $cursor_ticks AND seq < $cursor_seq))");
        }

        sql.Append(" ORDER BY created_at DESC, seq DESC LIMIT $limit;");
        return sql.ToString();
    }

    /// <summary>Queues the insert of <paramref name="run"/> with <paramref name="entries"/> (none for a plain create).</summary>
    private Task<IReadOnlyList<AuditEvent>> EnqueueCreate(RunRecord run, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        SqliteAuditLedger.Validate(entries);
        cancellationToken.ThrowIfCancellationRequested();
        var create = new CreateOperation(run, RunSerializer.Write(run), Protect(run), entries, cancellationToken);
        Enqueue(create);
        return create.Completion;
    }

    /// <summary>Queues the compare-and-set of <paramref name="run"/> with <paramref name="entries"/> (none for a plain update).</summary>
    private Task<IReadOnlyList<AuditEvent>?> EnqueueUpdate(RunRecord run, RunStatus expectedStatus, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        SqliteAuditLedger.Validate(entries);
        cancellationToken.ThrowIfCancellationRequested();
        var update = new UpdateOperation(run, RunSerializer.Write(run), Protect(run), expectedStatus, entries, cancellationToken);
        Enqueue(update);
        return update.Completion;
    }

    private void Enqueue(WriteOperation operation)
    {
        if (!_database.Writer.TryEnqueue(operation))
        {
            throw new AegisException(AegisErrors.StoreFailed, $"{_database.Path}: {operation.Description} failed: the database has been closed");
        }
    }

    private byte[]? Protect(RunRecord run)
    {
        var entries = run.Checkpoint?.MaskMap;
        if (entries is null || entries.Count == 0)
        {
            return null;
        }

        return _database.Protector.Protect(RunSerializer.WriteMaskMap(entries), run.Id);
    }

    /// <summary>Binds the columns shared by the insert and the update: 1 id, 2 route, 3 principal, 4 status, 5 created, 6 updated, 7 payload, 8 mask map.</summary>
    private static void Bind(PreparedStatement statement, RunRecord run, PooledUtf8 payload, byte[]? maskMap)
    {
        statement.BindText(1, run.Id);
        statement.BindText(2, run.Route);
        statement.BindText(3, run.PrincipalId);
        statement.BindText(4, run.Status.ToWire());
        statement.BindInt64(5, run.CreatedAt.UtcTicks);
        statement.BindInt64(6, run.UpdatedAt.UtcTicks);
        statement.BindUtf8(7, payload.Span);
        statement.BindBlob(8, maskMap);
    }

    private RunRecord ReadRun(SqliteDataReader reader)
    {
        var id = reader.GetString(1);
        if (!RunStatusNames.TryParse(reader.GetString(4), out var status))
        {
            throw new AegisException(AegisErrors.StoreFailed, $"{_database.Path}: run {id} has an unknown status '{reader.GetString(4)}'") { RunId = id };
        }

        MaskMapEntry[]? maskMap = null;
        if (!reader.IsDBNull(7))
        {
            var plaintext = _database.Protector.Unprotect((byte[])reader.GetValue(7), id, $"{_database.Path}: the mask map of run {id}");
            maskMap = RunSerializer.ReadMaskMap(plaintext);
            Array.Clear(plaintext);
        }

        return RunSerializer.Read(id, reader.GetString(2), reader.GetString(3), status, UtcTicks.ToInstant(reader.GetInt64(5)), UtcTicks.ToInstant(reader.GetInt64(8)), reader.GetString(6), maskMap);
    }

    private static bool TryParseCursor(string cursor, out long ticks, out long seq)
    {
        ticks = 0;
        seq = 0;
        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        return dot > 0
            && long.TryParse(cursor.AsSpan(0, dot), NumberStyles.Integer, CultureInfo.InvariantCulture, out ticks)
            && long.TryParse(cursor.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out seq);
    }

    /// <summary>
    /// An <c>INSERT</c> of a new run and the append of its audit entries (if any) after it, in one operation: a
    /// duplicate id fails only this caller and appends nothing.
    /// </summary>
    private sealed class CreateOperation(RunRecord run, PooledUtf8 payload, byte[]? maskMap, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
        : WriteOperation<IReadOnlyList<AuditEvent>>(cancellationToken)
    {
        private const string Insert = "INSERT INTO runs (id, route, principal_id, status, created_at, updated_at, payload, mask_map) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8);";

        public override int Weight => 1 + entries.Count;

        public override string Description => $"creating run {run.Id}";

        protected override IReadOnlyList<AuditEvent> Run(WriteBatch batch)
        {
            var insert = batch.Statement(Insert);
            Bind(insert, run, payload, maskMap);
            insert.Execute();
            return entries.Count == 0 ? [] : SqliteAuditLedger.Append(batch, entries);
        }

        protected override void Release() => payload.Return();

        protected override Exception Map(Exception error, SqliteDatabase database) => IsConstraint(error)
            ? new AegisException(AegisErrors.StoreFailed, $"{database.Path}: run {run.Id} already exists", error) { RunId = run.Id }
            : base.Map(error, database);
    }

    /// <summary>
    /// The compare-and-set: <c>UPDATE … WHERE id = @id AND status = @expected</c>, and the append of the audit entries
    /// (if any) only if it changed the row. Its result is <see langword="null"/> when the row did not change, so among
    /// racing callers exactly one sees its expectation hold, and only that one's entries are appended.
    /// </summary>
    private sealed class UpdateOperation(RunRecord run, PooledUtf8 payload, byte[]? maskMap, RunStatus expected, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
        : WriteOperation<IReadOnlyList<AuditEvent>?>(cancellationToken)
    {
        private const string Update = "UPDATE runs SET route = ?2, principal_id = ?3, status = ?4, created_at = ?5, updated_at = ?6, payload = ?7, mask_map = ?8 WHERE id = ?1 AND status = ?9;";

        public override int Weight => 1 + entries.Count;

        public override string Description => $"updating run {run.Id}";

        protected override IReadOnlyList<AuditEvent>? Run(WriteBatch batch)
        {
            var update = batch.Statement(Update);
            Bind(update, run, payload, maskMap);
            update.BindText(9, expected.ToWire());
            if (update.Execute() != 1)
            {
                return null;
            }

            return entries.Count == 0 ? [] : SqliteAuditLedger.Append(batch, entries);
        }

        protected override void Release() => payload.Return();
    }
}
