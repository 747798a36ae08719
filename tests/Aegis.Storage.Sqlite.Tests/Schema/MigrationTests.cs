namespace Aegis.Storage.Sqlite.Tests.Schema;

/// <summary>A file written by the first released schema opens with this program and keeps its data (its audit events included, still chained).</summary>
public sealed class MigrationTests : IDisposable
{
    /// <summary>The version-1 schema exactly as released (a frozen copy, independent of the program's).</summary>
    private const string Version1Schema = """
        CREATE TABLE runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, route TEXT NOT NULL, principal_id TEXT NOT NULL,
            status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, payload TEXT NOT NULL, mask_map BLOB);
        CREATE INDEX runs_by_created ON runs (created_at DESC, seq DESC);
        CREATE INDEX runs_by_principal ON runs (principal_id, created_at DESC, seq DESC);
        CREATE INDEX runs_by_route ON runs (route, created_at DESC, seq DESC);
        CREATE INDEX runs_by_status ON runs (status, created_at DESC, seq DESC);
        CREATE TABLE audit_events (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, run_id TEXT NOT NULL, principal_id TEXT NOT NULL, route TEXT NOT NULL,
            stage TEXT, node TEXT, verdict TEXT, status TEXT, reason TEXT, code TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
        CREATE INDEX audit_by_run ON audit_events (run_id, seq);
        CREATE INDEX audit_by_principal ON audit_events (principal_id, seq);
        CREATE INDEX audit_by_route ON audit_events (route, seq);
        CREATE INDEX audit_by_ts ON audit_events (ts, seq);
        CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
        CREATE TABLE api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, principal_id TEXT NOT NULL, team TEXT, labels TEXT NOT NULL,
            key_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, last_used_at INTEGER, revoked_at INTEGER);
        CREATE TABLE budgets (scope TEXT NOT NULL, subject TEXT NOT NULL, period TEXT NOT NULL, amount TEXT NOT NULL,
            PRIMARY KEY (scope, subject, period)) WITHOUT ROWID;
        PRAGMA user_version = 1;
        """;

    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_version_1_file_is_migrated_forward_with_its_data()
    {
        var entry = new AuditEntry { Timestamp = new DateTimeOffset(2024, 12, 1, 0, 0, 0, TimeSpan.Zero), RunId = "old-run", PrincipalId = "alice", Route = "chat", Status = RunStatus.Completed, Node = "engine" };
        var linked = AuditChain.Link(1, AuditChain.GenesisHash, entry);
        var verdict = new AuditEntry
        {
            Timestamp = entry.Timestamp.AddTicks(1), RunId = "old-run", PrincipalId = "alice", Route = "chat", Stage = GuardStage.Ingress, Node = "pii",
            Verdict = VerdictKind.Block, Reason = "blocked \"it\" — <EMAIL_ADDRESS_1> \\ é", Code = "AEG-GRD-001",
        };
        var linkedVerdict = AuditChain.Link(2, linked.Hash, verdict);
        var other = entry with { RunId = "other-run", PrincipalId = "bob", Timestamp = entry.Timestamp.AddMinutes(1) };
        var linkedOther = AuditChain.Link(3, linkedVerdict.Hash, other);
        var keyHash = ApiKeys.Hash(ApiKeys.Generate());
        _temp.Execute(Version1Schema + $$"""
            INSERT INTO runs (id, route, principal_id, status, created_at, updated_at, payload)
                VALUES ('old-run', 'chat', 'alice', 'completed', 638686656000000000, 638686656000000000,
                '{"team":null,"approvers":[],"messages":[],"response":"hello","reason":null,"error_code":null,"prompt_tokens":1,"completion_tokens":2,"created_at":"2024-12-01T00:00:00+00:00","updated_at":"2024-12-01T00:00:00+00:00","background":false}');
            INSERT INTO audit_events VALUES (1, {{entry.Timestamp.UtcTicks}}, 'old-run', 'alice', 'chat', NULL, 'engine', NULL, 'completed', NULL, NULL, '{{linked.PreviousHash}}', '{{linked.Hash}}');
            INSERT INTO audit_events VALUES (2, {{verdict.Timestamp.UtcTicks}}, 'old-run', 'alice', 'chat', 'ingress', 'pii', 'block', NULL, '{{verdict.Reason}}', 'AEG-GRD-001', '{{linkedVerdict.PreviousHash}}', '{{linkedVerdict.Hash}}');
            INSERT INTO audit_events VALUES (3, {{other.Timestamp.UtcTicks}}, 'other-run', 'bob', 'chat', NULL, 'engine', NULL, 'completed', NULL, NULL, '{{linkedOther.PreviousHash}}', '{{linkedOther.Hash}}');
            INSERT INTO api_keys VALUES ('key_0123456789ab', 'old', 'alice', NULL, '{}', '{{keyHash}}', 638686656000000000, NULL, NULL);
            INSERT INTO budgets VALUES ('principal', 'alice', '2024-12', '1.25');
            """);

        using var database = _temp.Open();
        Assert.Equal(1, database.MigratedFromVersion);
        Assert.Equal((long)SqliteDatabase.SchemaVersion, _temp.Scalar("PRAGMA user_version;"));

        var run = await new SqliteRunStore(database).GetAsync("old-run");
        Assert.Equal("hello", run!.Response);
        Assert.Equal(new RunUsage(1, 2), run.Usage);
        await using var ledger = new SqliteAuditLedger(database);
        Assert.Equal(AuditVerification.Valid(3), await ledger.VerifyAsync());
        Assert.Equal([linked, linkedVerdict], await ledger.GetRunEventsAsync("old-run"));
        Assert.Equal([linkedOther], (await ledger.QueryAsync(new AuditQuery { PrincipalId = "bob" })).Events);
        Assert.Equal(4, Assert.Single(await ledger.AppendAsync([entry])).Sequence);
        Assert.Equal(AuditVerification.Valid(4), await ledger.VerifyAsync());

        // Version 5 filled in ts_high for the migrated rows; event 4, stamped before event 3, continues it.
        Audit.SqliteAuditLedgerTests.AssertTimestampHighIsTheRunningMaximum(_temp);
        Assert.Equal([3L], (await ledger.QueryAsync(new AuditQuery { Since = other.Timestamp })).Events.Select(e => e.Sequence));
        Assert.Equal([2L, 3L], (await ledger.QueryAsync(new AuditQuery { Since = verdict.Timestamp })).Events.Select(e => e.Sequence));
        Assert.ThrowsAny<Exception>(() => _temp.Execute("UPDATE audit_segments SET ts_high = 0;")); // append-only again
        Assert.Equal("old", (await new SqliteApiKeyStore(database).FindByHashAsync(keyHash))!.Name);
        Assert.Equal(1.25m, await new SqliteBudgetLedger(database).GetSpendAsync(BudgetScope.Principal, "alice", entry.Timestamp));

        // Version 4's listing indexes replaced version 1's, and every listing is still served without a sort.
        Runs.RunListingIndexTests.AssertAscendingListingIndexes(_temp);
        Runs.RunListingIndexTests.AssertListingPlans(_temp);

        // What version 2 added works on the migrated file.
        var paused = Runs.SqliteRunStoreTests.PausedRun("new-run");
        await new SqliteRunStore(database).CreateAsync(paused);
        Assert.Single((await new SqliteRunStore(database).GetAsync("new-run"))!.Checkpoint!.MaskMap);
    }
}
