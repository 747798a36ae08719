using Aegis.Storage.Sqlite.Connections;

namespace Aegis.Storage.Sqlite.Schema;

/// <summary>
/// The schema, as a list of forward steps: step <c>n</c> takes a database from version <c>n</c> to
/// <c>n + 1</c> (<c>PRAGMA user_version</c>). A new program opens an older file by applying the
/// missing steps in order, in one write transaction; a file newer than <see cref="CurrentVersion"/>
/// is refused. Never edit a released step: add a new one.
/// </summary>
internal static class SchemaMigrations
{
    /// <summary>Version 1: runs, the audit ledger, API keys and budgets.</summary>
    internal const string Version1 = """
        CREATE TABLE runs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            route TEXT NOT NULL,
            principal_id TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            payload TEXT NOT NULL,
            mask_map BLOB
        );
        CREATE INDEX runs_by_created ON runs (created_at DESC, seq DESC);
        CREATE INDEX runs_by_principal ON runs (principal_id, created_at DESC, seq DESC);
        CREATE INDEX runs_by_route ON runs (route, created_at DESC, seq DESC);
        CREATE INDEX runs_by_status ON runs (status, created_at DESC, seq DESC);

        CREATE TABLE audit_events (
            seq INTEGER PRIMARY KEY,
            ts INTEGER NOT NULL,
            run_id TEXT NOT NULL,
            principal_id TEXT NOT NULL,
            route TEXT NOT NULL,
            stage TEXT,
            node TEXT,
            verdict TEXT,
            status TEXT,
            reason TEXT,
            code TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX audit_by_run ON audit_events (run_id, seq);
        CREATE INDEX audit_by_principal ON audit_events (principal_id, seq);
        CREATE INDEX audit_by_route ON audit_events (route, seq);
        CREATE INDEX audit_by_ts ON audit_events (ts, seq);
        CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            principal_id TEXT NOT NULL,
            team TEXT,
            labels TEXT NOT NULL,
            key_hash TEXT NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            last_used_at INTEGER,
            revoked_at INTEGER
        );

        CREATE TABLE budgets (
            scope TEXT NOT NULL,
            subject TEXT NOT NULL,
            period TEXT NOT NULL,
            amount TEXT NOT NULL,
            PRIMARY KEY (scope, subject, period)
        ) WITHOUT ROWID;
        """;

    /// <summary>Version 2: a metadata table (encryption key check) and the vector store.</summary>
    internal const string Version2 = """
        CREATE TABLE meta (
            name TEXT PRIMARY KEY,
            value BLOB NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE vector_collections (
            name TEXT PRIMARY KEY,
            dimensions INTEGER,
            version INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE vectors (
            collection TEXT NOT NULL,
            key TEXT NOT NULL,
            text TEXT NOT NULL,
            metadata TEXT NOT NULL,
            embedding BLOB NOT NULL,
            UNIQUE (collection, key)
        );
        """;

    /// <summary>
    /// Version 3: the audit ledger keeps the events one append wrote for one run as one row
    /// (<c>audit_segments</c>), not one row an event: a run's write then costs one row and three index entries,
    /// not one row and four index entries an event. There is no index on time: no query plan used
    /// <c>audit_by_ts</c> (a <c>since</c> query pages in sequence order, so SQLite walks the rows from
    /// <c>after_sequence</c> and filters them). Each existing event moves over as a segment of its own,
    /// unchanged, so the chain verifies as before.
    /// </summary>
    internal const string Version3 = """
        CREATE TABLE audit_segments (
            first_seq INTEGER PRIMARY KEY,
            last_seq INTEGER NOT NULL,
            max_ts INTEGER NOT NULL,
            run_id TEXT NOT NULL,
            principal_id TEXT NOT NULL,
            route TEXT NOT NULL,
            last_hash TEXT NOT NULL,
            events TEXT NOT NULL
        );
        INSERT INTO audit_segments (first_seq, last_seq, max_ts, run_id, principal_id, route, last_hash, events)
            SELECT seq, seq, ts, run_id, principal_id, route, hash,
                   json_array(json_array(ts, stage, node, verdict, status, reason, code, prev_hash, hash))
            FROM audit_events ORDER BY seq;
        DROP TABLE audit_events;
        CREATE INDEX audit_segments_by_run ON audit_segments (run_id, first_seq);
        CREATE INDEX audit_segments_by_principal ON audit_segments (principal_id, first_seq);
        CREATE INDEX audit_segments_by_route ON audit_segments (route, first_seq);
        CREATE TRIGGER audit_segments_no_update BEFORE UPDATE ON audit_segments
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
        CREATE TRIGGER audit_segments_no_delete BEFORE DELETE ON audit_segments
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
        """;

    /// <summary>
    /// Version 4: the four run-listing indexes in ascending order, without <c>seq</c>. Version 1 declared them
    /// <c>(…, created_at DESC, seq DESC)</c>, so every new run went in at the front of its range, where a full leaf
    /// splits by sharing its cells with its neighbours (several leaves and their parent rewritten, the pages left
    /// about half full); ascending, a new run is appended at the end, where SQLite fills a leaf and starts the next.
    /// Listing walks them backwards with the same plans (no sort), and <c>seq</c>, the rowid, ends every index entry
    /// anyway. The indexes are rebuilt from the table.
    /// </summary>
    internal const string Version4 = """
        DROP INDEX runs_by_created;
        DROP INDEX runs_by_principal;
        DROP INDEX runs_by_route;
        DROP INDEX runs_by_status;
        CREATE INDEX runs_by_created ON runs (created_at);
        CREATE INDEX runs_by_principal ON runs (principal_id, created_at);
        CREATE INDEX runs_by_route ON runs (route, created_at);
        CREATE INDEX runs_by_status ON runs (status, created_at);
        """;

    /// <summary>
    /// Version 5: <c>audit_segments.ts_high</c>, the highest <c>max_ts</c> of the segment and of every segment before
    /// it (a running maximum in sequence order, so it never decreases). Event timestamps are not in sequence order
    /// (a run's first event is stamped when it starts and appended when it ends), but with this column a query for
    /// events at or after a time finds the first segment that can hold one by a binary search over the rowid, instead
    /// of reading the ledger from its start. Existing rows are filled in once, here: the append-only trigger is
    /// dropped for that one statement and created again, inside the migration's transaction.
    /// </summary>
    internal const string Version5 = """
        ALTER TABLE audit_segments ADD COLUMN ts_high INTEGER;
        DROP TRIGGER audit_segments_no_update;
        UPDATE audit_segments SET ts_high = w.high
            FROM (SELECT first_seq AS seq, max(max_ts) OVER (ORDER BY first_seq ROWS UNBOUNDED PRECEDING) AS high FROM audit_segments) AS w
            WHERE audit_segments.first_seq = w.seq;
        CREATE TRIGGER audit_segments_no_update BEFORE UPDATE ON audit_segments
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
        """;

    private static readonly string[] Steps = [Version1, Version2, Version3, Version4, Version5];

    /// <summary>The schema version this program writes.</summary>
    public static int CurrentVersion => Steps.Length;

    /// <summary>Reads <c>PRAGMA user_version</c>.</summary>
    public static int ReadVersion(PooledConnection connection, Microsoft.Data.Sqlite.SqliteTransaction? transaction = null)
    {
        var command = connection.Command("PRAGMA user_version;", transaction);
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Brings the database to <see cref="CurrentVersion"/> inside one <c>BEGIN IMMEDIATE</c>
    /// transaction (so two processes opening an old file at once migrate it once) and records the
    /// opening. Returns the version found before migrating.
    /// </summary>
    public static int Migrate(PooledConnection connection, string path)
    {
        using var transaction = connection.BeginWrite();
        var found = ReadVersion(connection, transaction);
        if (found > CurrentVersion)
        {
            throw SchemaTooNew(path, found);
        }

        for (var version = found; version < CurrentVersion; version++)
        {
            connection.Command(Steps[version], transaction).ExecuteNonQuery();
        }

        if (found != CurrentVersion)
        {
            connection.Command($"PRAGMA user_version = {CurrentVersion};", transaction).ExecuteNonQuery();
        }

        // A real write on every open: proves at start-up that the file can be written.
        var stamp = connection.Command("INSERT INTO meta (name, value) VALUES ('opened_by', $v) ON CONFLICT (name) DO UPDATE SET value = excluded.value;", transaction);
        stamp.Parameters.AddWithValue("$v", "Aegis.Storage.Sqlite " + typeof(SchemaMigrations).Assembly.GetName().Version);
        stamp.ExecuteNonQuery();
        transaction.Commit();
        return found;
    }

    public static AegisException SchemaTooNew(string path, int found) => new(
        AegisErrors.StoreSchemaTooNew,
        $"{path}: schema version {found} was written by a newer Aegis; this version reads up to {CurrentVersion}. Upgrade Aegis or point the store at another database file");
}
