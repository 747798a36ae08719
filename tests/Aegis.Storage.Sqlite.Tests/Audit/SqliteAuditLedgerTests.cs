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
        AssertTimestampHighIsTheRunningMaximum(_temp); // carried across the two writers through the file, not in memory
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

        var seqs = await PageThrough(ledger, new AuditQuery { PrincipalId = "alice", Limit = 4 });
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

        var seen = await PageThrough(ledger, new AuditQuery { PrincipalId = "p", Limit = 3 });
        Assert.Equal(Enumerable.Range(1, 14).Select(i => (long)i), seen);
        var since = await ledger.QueryAsync(new AuditQuery { Since = T0.AddMinutes(5), Limit = 4 });
        Assert.Equal([6L, 7L, 8L, 9L], since.Events.Select(e => e.Sequence));
        Assert.Equal(9, since.NextAfterSequence);
    }

    [Fact]
    public async Task Since_queries_return_exactly_the_events_at_or_after_the_time_although_timestamps_are_out_of_order()
    {
        using var database = _temp.Open();
        await using var ledger = new SqliteAuditLedger(database);

        // A run's first event is stamped when it starts and appended when it ends, so timestamps are not in sequence
        // order: here every fifth run started 40 minutes before the runs appended around it.
        for (var i = 0; i < 120; i++)
        {
            var start = i % 5 == 0 ? i - 40 : i;
            await ledger.AppendAsync([Entry($"run-{i}", "p", "chat", start), Entry($"run-{i}", "p", "chat", i + 1, RunStatus.Completed)]);
        }

        AssertTimestampHighIsTheRunningMaximum(_temp);
        var all = (await ledger.QueryAsync(new AuditQuery { Limit = 10000 })).Events;
        foreach (var minute in new[] { -100, -40, -39, 0, 1, 37, 38, 60, 79, 80, 81, 119, 120, 121, 500 })
        {
            var since = T0.AddMinutes(minute);
            var expected = all.Where(e => e.Entry.Timestamp >= since).Select(e => e.Sequence).ToList();
            Assert.Equal(expected, await PageThrough(ledger, new AuditQuery { Since = since, Limit = 7 }));

            // The bound is the first segment whose running maximum reaches the time, not merely one at or before it.
            using var lease = database.Rent();
            var bound = _temp.Scalar(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SELECT coalesce((SELECT min(first_seq) FROM audit_segments WHERE ts_high >= {since.UtcTicks}), (SELECT max(last_seq) + 1 FROM audit_segments));"));
            Assert.Equal((long)bound!, Aegis.Storage.Sqlite.Audit.AuditSegments.FirstSequenceReaching(lease.Connection, since.UtcTicks));
        }
    }

    [Fact]
    public async Task A_since_query_starts_where_an_event_can_match_and_does_not_read_the_ledger_before_it()
    {
        using var database = _temp.Open();
        await using var ledger = new SqliteAuditLedger(database);
        for (var i = 0; i < 64; i++)
        {
            await ledger.AppendAsync([Entry($"run-{i}", "p", "chat", i)]);
        }

        // Row 3 no longer reads, and its max_ts claims a late event (its ts_high does not): a query that scanned the
        // ledger filtering on max_ts would read it and fail; one that starts at the ts_high bound never reaches it.
        var late = T0.AddMinutes(60).UtcTicks;
        _temp.Execute($"DROP TRIGGER audit_segments_no_update; UPDATE audit_segments SET events = '[[1, \"ingress\"', max_ts = {late} WHERE first_seq = 3;");
        var recent = await ledger.QueryAsync(new AuditQuery { Since = T0.AddMinutes(50) });
        Assert.Equal(Enumerable.Range(51, 14).Select(i => (long)i), recent.Events.Select(e => e.Sequence));
        Assert.Empty((await ledger.QueryAsync(new AuditQuery { Since = T0.AddMinutes(64) })).Events);

        var early = await Assert.ThrowsAsync<AegisException>(async () => await ledger.QueryAsync(new AuditQuery { Since = T0.AddMinutes(1) }));
        Assert.Equal(AegisErrors.StoreFailed.Code, early.Error.Code);
    }

    [Fact]
    public async Task A_since_query_on_a_ledger_with_a_deleted_segment_still_finds_what_is_there()
    {
        using var database = _temp.Open();
        await using var ledger = new SqliteAuditLedger(database);
        for (var i = 0; i < 40; i++)
        {
            await ledger.AppendAsync([Entry($"run-{i}", "p", "chat", 2 * i), Entry($"run-{i}", "p", "chat", (2 * i) + 1)]);
        }

        _temp.Execute("DROP TRIGGER audit_segments_no_delete; DELETE FROM audit_segments WHERE first_seq BETWEEN 21 AND 59;");
        foreach (var minute in new[] { 0, 19, 20, 30, 58, 59, 60, 61, 79, 80 })
        {
            var since = await ledger.QueryAsync(new AuditQuery { Since = T0.AddMinutes(minute), Limit = 1000 });
            var expected = Enumerable.Range(1, 80).Where(s => s >= minute + 1 && (s <= 20 || s >= 61)).Select(s => (long)s);
            Assert.Equal(expected, since.Events.Select(e => e.Sequence));
        }
    }

    /// <summary>The sequences of every page of <paramref name="query"/>, following each page's cursor.</summary>
    private static async Task<List<long>> PageThrough(SqliteAuditLedger ledger, AuditQuery query)
    {
        var sequences = new List<long>();
        while (true)
        {
            var page = await ledger.QueryAsync(query);
            sequences.AddRange(page.Events.Select(e => e.Sequence));
            if (page.NextAfterSequence is not { } next)
            {
                return sequences;
            }

            query = query with { AfterSequence = next };
        }
    }

    /// <summary>Each segment's <c>ts_high</c> is the highest <c>max_ts</c> of it and every segment before it.</summary>
    internal static void AssertTimestampHighIsTheRunningMaximum(TempDatabase temp)
    {
        using var connection = temp.OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT max_ts, ts_high FROM audit_segments ORDER BY first_seq;";
        using var reader = command.ExecuteReader();
        var high = long.MinValue;
        var rows = 0;
        while (reader.Read())
        {
            rows++;
            high = Math.Max(high, reader.GetInt64(0));
            Assert.False(reader.IsDBNull(1));
            Assert.Equal(high, reader.GetInt64(1));
        }

        Assert.True(rows > 0);
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
