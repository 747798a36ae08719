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
        Assert.ThrowsAny<Exception>(() => _temp.Execute(EditReason(10, "x")));
        _temp.Execute("DROP TRIGGER audit_segments_no_update; " + EditReason(4321, "edited") + EditReason(4500, "edited"));
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
        _temp.Execute("DROP TRIGGER audit_segments_no_update; UPDATE audit_segments SET events = json_remove(events, '$[5]') WHERE first_seq = 1;");
        var result = await ledger.VerifyAsync();
        Assert.False(result.IsValid);
        Assert.Equal(6, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Verify_reports_a_deleted_segment()
    {
        using var database = _temp.Open();
        await using var ledger = new SqliteAuditLedger(database);
        for (var i = 0; i < 4; i++)
        {
            await ledger.AppendAsync([Entry("r" + i, "p", "chat", 2 * i), Entry("r" + i, "p", "chat", (2 * i) + 1)]);
        }

        _temp.Execute("DROP TRIGGER audit_segments_no_delete; DELETE FROM audit_segments WHERE first_seq = 3;");
        var result = await ledger.VerifyAsync();
        Assert.False(result.IsValid);
        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Contains("deleted", result.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'[[1, \"ingress\"'")] // not JSON any more
    [InlineData("json_set(events, '$[1][0]', 'noon')")] // its first event reads, its second does not
    [InlineData("json_set(events, '$[0][8]', json('null'))")] // an event without its hash
    public async Task A_row_whose_events_are_not_readable_breaks_verification_there_and_fails_reads_with_a_store_error(string events)
    {
        using var database = _temp.Open();
        await using var ledger = new SqliteAuditLedger(database);
        await ledger.AppendAsync([Entry("r1", "p", "chat", 0), Entry("r1", "p", "chat", 1)]);
        await ledger.AppendAsync([Entry("r2", "p", "chat", 2), Entry("r2", "p", "chat", 3)]);
        _temp.Execute($"DROP TRIGGER audit_segments_no_update; UPDATE audit_segments SET events = {events} WHERE first_seq = 3;");

        var result = await ledger.VerifyAsync();
        Assert.False(result.IsValid);
        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Equal(2, result.EventCount);
        Assert.Contains("edited", result.Problem, StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<AegisException>(async () => await ledger.GetRunEventsAsync("r2"));
        Assert.Equal(AegisErrors.StoreFailed.Code, error.Error.Code);
        Assert.Equal(2, (await ledger.GetRunEventsAsync("r1")).Count);
    }

    [Fact]
    public async Task One_append_keeps_each_runs_events_as_one_row()
    {
        using var database = _temp.Open();
        await using var ledger = new SqliteAuditLedger(database);
        await ledger.AppendAsync([Entry("a", "p", "chat", 0), Entry("a", "p", "chat", 1), Entry("b", "p", "chat", 2), Entry("a", "p", "chat", 3), Entry("a", "q", "chat", 4)]);
        Assert.Equal(4L, _temp.Scalar("SELECT count(*) FROM audit_segments;"));
        Assert.Equal([1L, 2L, 4L], (await ledger.GetRunEventsAsync("a")).Where(e => e.Entry.PrincipalId == "p").Select(e => e.Sequence));
        Assert.Equal([5L], (await ledger.QueryAsync(new AuditQuery { PrincipalId = "q" })).Events.Select(e => e.Sequence));
        Assert.Equal(AuditVerification.Valid(5), await ledger.VerifyAsync());
    }

    [Fact]
    public async Task Query_pages_and_filters_by_since_inside_a_row()
    {
        using var database = _temp.Open();
        await using var ledger = new SqliteAuditLedger(database);
        await ledger.AppendAsync([.. Enumerable.Range(0, 7).Select(i => Entry("a", "p", "chat", i))]);
        await ledger.AppendAsync([.. Enumerable.Range(7, 7).Select(i => Entry("b", "p", "chat", i))]);

        var seen = new List<long>();
        long after = 0;
        while (true)
        {
            var page = await ledger.QueryAsync(new AuditQuery { PrincipalId = "p", AfterSequence = after, Limit = 3 });
            seen.AddRange(page.Events.Select(e => e.Sequence));
            if (page.NextAfterSequence is not { } next)
            {
                break;
            }

            after = next;
        }

        Assert.Equal(Enumerable.Range(1, 14).Select(i => (long)i), seen);
        var since = await ledger.QueryAsync(new AuditQuery { Since = T0.AddMinutes(5), Limit = 4 });
        Assert.Equal([6L, 7L, 8L, 9L], since.Events.Select(e => e.Sequence));
        Assert.Equal(9, since.NextAfterSequence);
    }

    /// <summary>SQL that sets the reason of event <paramref name="sequence"/> inside its stored row.</summary>
    private static string EditReason(long sequence, string reason) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"UPDATE audit_segments SET events = json_set(events, '$[' || ({sequence} - first_seq) || '][5]', '{reason}') WHERE {sequence} BETWEEN first_seq AND last_seq;");

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
