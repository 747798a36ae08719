namespace Aegis.Storage.Sqlite.Tests.Audit;

public sealed class SqliteAuditLedgerTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Appends_chain_and_survive_reopening()
    {
        using (var database = _temp.Open())
        await using (var ledger = new SqliteAuditLedger(database))
        {
            var events = await ledger.AppendAsync([Entry("r1", "alice", "chat", 0), Entry("r1", "alice", "chat", 1, RunStatus.Completed)]);
            Assert.Equal([1L, 2L], events.Select(e => e.Sequence));
            Assert.Equal(AuditChain.GenesisHash, events[0].PreviousHash);
            Assert.Equal(events[0].Hash, events[1].PreviousHash);
        }

        using (var database = _temp.Open())
        await using (var ledger = new SqliteAuditLedger(database))
        {
            var third = Assert.Single(await ledger.AppendAsync([Entry("r2", "bob", "rag", 2)]));
            Assert.Equal(3, third.Sequence);
            var all = await ledger.QueryAsync(new AuditQuery());
            Assert.Equal(third.PreviousHash, all.Events[1].Hash);
            Assert.Equal(Entry("r1", "alice", "chat", 1, RunStatus.Completed), all.Events[1].Entry);
            Assert.Equal(AuditVerification.Valid(3), await ledger.VerifyAsync());
        }
    }

    [Fact]
    public async Task Concurrent_appends_from_two_instances_form_one_unbroken_chain()
    {
        using var first = _temp.Open();
        using var second = _temp.Open();
        await using var a = new SqliteAuditLedger(first);
        await using var b = new SqliteAuditLedger(second);
        var appends = Enumerable.Range(0, 400)
            .Select(i => Task.Run(async () => await (i % 2 == 0 ? a : b).AppendAsync([Entry($"run-{i}", "p", "chat", i), Entry($"run-{i}", "p", "chat", i, RunStatus.Completed)])))
            .ToArray();
        var results = await Task.WhenAll(appends);

        // Each call's entries are contiguous, and every sequence is used once.
        Assert.All(results, r => Assert.Equal(r[0].Sequence + 1, r[1].Sequence));
        Assert.Equal(Enumerable.Range(1, 800).Select(i => (long)i), results.SelectMany(r => r).Select(e => e.Sequence).Order());
        Assert.Equal(AuditVerification.Valid(800), await a.VerifyAsync());
    }

    [Fact]
    public async Task Queries_filter_and_page_in_ledger_order()
    {
        using var database = _temp.Open();
        await using var ledger = new SqliteAuditLedger(database);
        for (var i = 0; i < 30; i++)
        {
            await ledger.AppendAsync([Entry($"run-{i % 4}", i % 2 == 0 ? "alice" : "bob", i % 3 == 0 ? "chat" : "rag", i)]);
        }

        var seqs = new List<long>();
        var query = new AuditQuery { PrincipalId = "alice", Limit = 4 };
        while (true)
        {
            var page = await ledger.QueryAsync(query);
            seqs.AddRange(page.Events.Select(e => e.Sequence));
            if (page.NextAfterSequence is not { } next)
            {
                break;
            }

            query = query with { AfterSequence = next };
        }

        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 2 == 0).Select(i => (long)i + 1), seqs);

        var combined = await ledger.QueryAsync(new AuditQuery { Route = "chat", Since = T0.AddMinutes(10), RunId = "run-0" });
        Assert.Equal([13L, 25L], combined.Events.Select(e => e.Sequence));
        Assert.Null(combined.NextAfterSequence);

        var run = await ledger.GetRunEventsAsync("run-1");
        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 4 == 1).Select(i => (long)i + 1), run.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Verify_reports_the_first_edited_event()
    {
        using var database = _temp.Open();
        await using var ledger = new SqliteAuditLedger(database);
        await Task.WhenAll(Enumerable.Range(0, 5001).Select(i => ledger.AppendAsync([Entry("r", "p", "chat", i)]).AsTask()));
        Assert.Equal(AuditVerification.Valid(5001), await ledger.VerifyAsync());

        // The table refuses edits; an attacker with the file drops the trigger first.
        Assert.ThrowsAny<Exception>(() => _temp.Execute("UPDATE audit_events SET reason = 'x' WHERE seq = 10;"));
        _temp.Execute("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET reason = 'edited' WHERE seq = 4321; UPDATE audit_events SET reason = 'edited' WHERE seq = 4500;");
        var result = await ledger.VerifyAsync();
        Assert.False(result.IsValid);
        Assert.Equal(4321, result.FirstBrokenSequence);
        Assert.Contains("edited", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_reports_a_deleted_event()
    {
        using var database = _temp.Open();
        await using var ledger = new SqliteAuditLedger(database);
        await ledger.AppendAsync([.. Enumerable.Range(0, 10).Select(i => Entry("r", "p", "chat", i))]);
        _temp.Execute("DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = 6;");
        var result = await ledger.VerifyAsync();
        Assert.False(result.IsValid);
        Assert.Equal(6, result.FirstBrokenSequence);
    }

    internal static AuditEntry Entry(string run, string principal, string route, int minute, RunStatus? status = null) => new()
    {
        Timestamp = T0.AddMinutes(minute),
        RunId = run,
        PrincipalId = principal,
        Route = route,
        Stage = status is null ? GuardStage.Ingress : null,
        Node = status is null ? "pii" : "engine",
        Verdict = status is null ? VerdictKind.Sanitize : null,
        Status = status,
        Reason = status is null ? "masked 1 EMAIL_ADDRESS" : null,
        Code = null,
    };
}
