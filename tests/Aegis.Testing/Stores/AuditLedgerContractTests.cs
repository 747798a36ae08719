namespace Aegis.Testing;

/// <summary>
/// The behaviour every <see cref="IAuditLedger"/> must have. Subclass it in a test project and
/// implement <see cref="StoreContractTests{TStore}.CreateStore"/>; every test gets a fresh, empty ledger.
/// </summary>
public abstract class AuditLedgerContractTests : StoreContractTests<IAuditLedger>
{
    [Fact]
    public async Task Verify_of_an_empty_ledger_is_valid_with_no_events()
    {
        var result = await Store.VerifyAsync();

        Assert.True(result.IsValid);
        Assert.Equal(0, result.EventCount);
        Assert.Null(result.FirstBrokenSequence);
        Assert.Null(result.Problem);
    }

    [Fact]
    public async Task Append_returns_contiguous_sequences_from_one_and_chained_hashes()
    {
        var first = await Store.AppendAsync([Entry("run-1"), Entry("run-1")]);
        var second = await Store.AppendAsync([Entry("run-2")]);
        var events = first.Concat(second).ToList();

        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Sequence));
        Assert.Equal(AuditChain.GenesisHash, events[0].PreviousHash);
        for (var i = 0; i < events.Count; i++)
        {
            Assert.Matches("^[0-9a-f]{64}$", events[i].Hash);
            Assert.Equal(AuditChain.ComputeHash(events[i].Sequence, events[i].PreviousHash, events[i].Entry), events[i].Hash);
            if (i > 0)
            {
                Assert.Equal(events[i - 1].Hash, events[i].PreviousHash);
            }
        }

        var verification = await Store.VerifyAsync();
        Assert.True(verification.IsValid, verification.Problem);
        Assert.Equal(3, verification.EventCount);
    }

    [Fact]
    public async Task Append_keeps_the_order_of_the_entries_given()
    {
        var entries = Enumerable.Range(1, 5).Select(i => Entry("run-1", node: $"guard-{i}")).ToList();

        var events = await Store.AppendAsync(entries);

        Assert.Equal(entries.Select(e => e.Node), events.Select(e => e.Entry.Node));
        Assert.Equal(entries.Select(e => e.Node), (await Store.GetRunEventsAsync("run-1")).Select(e => e.Entry.Node));
    }

    [Fact]
    public async Task Append_of_nothing_appends_nothing()
    {
        var events = await Store.AppendAsync([]);
        var next = await Store.AppendAsync([Entry("run-1")]);

        Assert.Empty(events);
        Assert.Equal(1, next.Single().Sequence);
    }

    [Fact]
    public async Task Events_round_trip_every_field()
    {
        var verdict = new AuditEntry
        {
            Timestamp = new DateTimeOffset(2025, 6, 30, 23, 59, 58, 765, TimeSpan.FromHours(2)),
            RunId = "run-7",
            PrincipalId = "alice",
            Route = "support",
            Stage = GuardStage.ToolResult,
            Node = "pii",
            Verdict = VerdictKind.RequireApproval,
            Reason = "EMAIL_ADDRESS found in a tool result",
            Code = "AEG-GRD-002",
        };
        var status = new AuditEntry
        {
            Timestamp = verdict.Timestamp.AddMilliseconds(1),
            RunId = "run-7",
            PrincipalId = "alice",
            Route = "support",
            Node = "engine",
            Status = RunStatus.Paused,
        };
        var bare = Entry("run-7") with { Stage = null, Node = null, Verdict = null, Status = null, Reason = null, Code = null };

        var appended = await Store.AppendAsync([verdict, status, bare]);
        var read = await Store.GetRunEventsAsync("run-7");

        Assert.Equal(3, read.Count);
        for (var i = 0; i < 3; i++)
        {
            AssertSameEvent(appended[i], read[i]);
        }
    }

    [Fact]
    public async Task Timestamps_keep_full_precision_so_the_chain_verifies_after_reading_back()
    {
        // The hash covers the timestamp to the tick: a store that rounds it breaks its own chain.
        var entry = Entry("run-1") with { Timestamp = Start.AddTicks(1234567) };

        var appended = (await Store.AppendAsync([entry])).Single();
        var read = (await Store.GetRunEventsAsync("run-1")).Single();

        Assert.Equal(appended.Entry.Timestamp, read.Entry.Timestamp);
        Assert.Equal(read.Hash, AuditChain.ComputeHash(read.Sequence, read.PreviousHash, read.Entry));
        Assert.True((await Store.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Concurrent_appenders_get_contiguous_sequences_and_a_valid_chain()
    {
        const int appenders = 8;
        const int perAppender = 100;
        using var gate = new ManualResetEventSlim(false);

        var tasks = Enumerable.Range(0, appenders).Select(a => Task.Run(async () =>
        {
            gate.Wait();
            var mine = new List<AuditEvent>(perAppender);
            for (var i = 0; i < perAppender; i++)
            {
                mine.AddRange(await Store.AppendAsync([Entry($"run-{a}", node: $"n{i}")]));
            }

            return mine;
        })).ToArray();
        gate.Set();
        var results = await Task.WhenAll(tasks);

        var all = results.SelectMany(r => r).OrderBy(e => e.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, appenders * perAppender).Select(i => (long)i), all.Select(e => e.Sequence));
        foreach (var mine in results)
        {
            Assert.Equal(Enumerable.Range(0, perAppender).Select(i => $"n{i}"), mine.Select(e => e.Entry.Node));
            Assert.True(mine.Zip(mine.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
        }

        var verification = await Store.VerifyAsync();
        Assert.True(verification.IsValid, verification.Problem);
        Assert.Equal(appenders * perAppender, verification.EventCount);
        var stored = await ReadAllAsync(new AuditQuery());
        Assert.Equal(all.Select(e => e.Hash), stored.Select(e => e.Hash));
    }

    [Fact]
    public async Task Concurrent_batches_stay_contiguous()
    {
        const int appenders = 4;
        const int batches = 10;
        const int batchSize = 5;
        using var gate = new ManualResetEventSlim(false);

        var tasks = Enumerable.Range(0, appenders).Select(a => Task.Run(async () =>
        {
            gate.Wait();
            var mine = new List<IReadOnlyList<AuditEvent>>();
            for (var b = 0; b < batches; b++)
            {
                mine.Add(await Store.AppendAsync([.. Enumerable.Range(0, batchSize).Select(i => Entry($"run-{a}", node: $"b{b}-{i}"))]));
            }

            return mine;
        })).ToArray();
        gate.Set();
        var results = await Task.WhenAll(tasks);

        foreach (var batch in results.SelectMany(r => r))
        {
            Assert.Equal(batchSize, batch.Count);
            Assert.Equal(Enumerable.Range(0, batchSize).Select(i => batch[0].Sequence + i), batch.Select(e => e.Sequence));
        }

        var verification = await Store.VerifyAsync();
        Assert.True(verification.IsValid, verification.Problem);
        Assert.Equal(appenders * batches * batchSize, verification.EventCount);
    }

    [Fact]
    public async Task GetRunEvents_returns_only_that_run_in_ledger_order()
    {
        await Store.AppendAsync([Entry("run-a", node: "1"), Entry("run-b", node: "2")]);
        await Store.AppendAsync([Entry("run-a", node: "3")]);
        await Store.AppendAsync([Entry("run-c", node: "4"), Entry("run-a", node: "5")]);

        var events = await Store.GetRunEventsAsync("run-a");

        Assert.Equal(["1", "3", "5"], events.Select(e => e.Entry.Node));
        Assert.Equal([1L, 3L, 5L], events.Select(e => e.Sequence));
        Assert.Empty(await Store.GetRunEventsAsync("run-unknown"));
    }

    [Fact]
    public async Task Query_without_filters_returns_everything_in_ledger_order()
    {
        var seeded = await SeedForQueriesAsync();

        var page = await Store.QueryAsync(new AuditQuery());

        Assert.Equal(seeded.Select(e => e.Sequence), page.Events.Select(e => e.Sequence));
        Assert.Null(page.NextAfterSequence);
    }

    [Fact]
    public async Task Query_filters_by_principal()
    {
        var seeded = await SeedForQueriesAsync();

        var page = await Store.QueryAsync(new AuditQuery { PrincipalId = "bob" });

        AssertSequences(seeded.Where(e => e.Entry.PrincipalId == "bob"), page);
    }

    [Fact]
    public async Task Query_filters_by_route()
    {
        var seeded = await SeedForQueriesAsync();

        var page = await Store.QueryAsync(new AuditQuery { Route = "research" });

        AssertSequences(seeded.Where(e => e.Entry.Route == "research"), page);
    }

    [Fact]
    public async Task Query_filters_by_run()
    {
        var seeded = await SeedForQueriesAsync();

        var page = await Store.QueryAsync(new AuditQuery { RunId = "run-2" });

        AssertSequences(seeded.Where(e => e.Entry.RunId == "run-2"), page);
    }

    [Fact]
    public async Task Query_filters_by_since_inclusively()
    {
        var seeded = await SeedForQueriesAsync();
        var since = seeded[5].Entry.Timestamp.ToOffset(TimeSpan.FromHours(9));

        var page = await Store.QueryAsync(new AuditQuery { Since = since });

        AssertSequences(seeded.Skip(5), page);
    }

    [Fact]
    public async Task Query_filters_combine_with_and()
    {
        var seeded = await SeedForQueriesAsync();
        var byRoute = await Store.QueryAsync(new AuditQuery { PrincipalId = "alice", Route = "research", Since = seeded[4].Entry.Timestamp });
        var byRun = await Store.QueryAsync(new AuditQuery { PrincipalId = "alice", RunId = "run-1", Since = seeded[2].Entry.Timestamp });
        var none = await Store.QueryAsync(new AuditQuery { PrincipalId = "bob", RunId = "run-1" });

        AssertSequences([seeded[6], seeded[10]], byRoute);
        AssertSequences([seeded[2], seeded[5], seeded[8], seeded[11]], byRun);
        AssertSequences([], none);
    }

    [Fact]
    public async Task Query_pages_with_after_sequence_without_duplicates_or_misses()
    {
        var seeded = await SeedForQueriesAsync();
        var expected = seeded.Where(e => e.Entry.PrincipalId == "alice").Select(e => e.Sequence).ToList();

        var seen = new List<long>();
        long after = 0;
        var pages = 0;
        while (true)
        {
            var page = await Store.QueryAsync(new AuditQuery { PrincipalId = "alice", AfterSequence = after, Limit = 3 });
            Assert.True(page.Events.Count <= 3);
            seen.AddRange(page.Events.Select(e => e.Sequence));
            pages++;
            Assert.True(pages <= 10, "paging does not end");
            if (page.NextAfterSequence is null)
            {
                break;
            }

            Assert.Equal(page.Events[^1].Sequence, page.NextAfterSequence);
            after = page.NextAfterSequence.Value;
        }

        Assert.Equal(expected, seen);
        Assert.Equal((expected.Count + 2) / 3, pages);
    }

    [Fact]
    public async Task Query_has_no_next_page_when_the_last_page_is_exactly_full()
    {
        await Store.AppendAsync([Entry("run-1"), Entry("run-1"), Entry("run-1"), Entry("run-1")]);

        var first = await Store.QueryAsync(new AuditQuery { Limit = 2 });
        var second = await Store.QueryAsync(new AuditQuery { Limit = 2, AfterSequence = first.NextAfterSequence!.Value });

        Assert.Equal(2, first.NextAfterSequence);
        Assert.Equal([3L, 4L], second.Events.Select(e => e.Sequence));
        Assert.Null(second.NextAfterSequence);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(10_001)]
    public async Task Query_with_a_limit_out_of_range_fails_with_invalid_field(int limit)
    {
        var ex = await AssertAegisErrorAsync(AegisErrors.RequestInvalidField, () => Store.QueryAsync(new AuditQuery { Limit = limit }).AsTask());

        Assert.StartsWith("limit", ex.Detail, StringComparison.Ordinal);
    }

    /// <summary>A verdict entry at the suite's current time.</summary>
    protected AuditEntry Entry(string runId, string principalId = "alice", string route = "support", string? node = "pii") => new()
    {
        Timestamp = Time.GetUtcNow(),
        RunId = runId,
        PrincipalId = principalId,
        Route = route,
        Stage = GuardStage.Ingress,
        Node = node,
        Verdict = VerdictKind.Allow,
        Reason = "nothing found",
    };

    /// <summary>Asserts that an event read back equals the one appended, field by field.</summary>
    protected static void AssertSameEvent(AuditEvent expected, AuditEvent actual)
    {
        Assert.Equal(expected.Sequence, actual.Sequence);
        Assert.Equal(expected.PreviousHash, actual.PreviousHash);
        Assert.Equal(expected.Hash, actual.Hash);
        var e = expected.Entry;
        var a = actual.Entry;
        AssertSameInstant(e.Timestamp, a.Timestamp);
        Assert.Equal(e.RunId, a.RunId);
        Assert.Equal(e.PrincipalId, a.PrincipalId);
        Assert.Equal(e.Route, a.Route);
        Assert.Equal(e.Stage, a.Stage);
        Assert.Equal(e.Node, a.Node);
        Assert.Equal(e.Verdict, a.Verdict);
        Assert.Equal(e.Status, a.Status);
        Assert.Equal(e.Reason, a.Reason);
        Assert.Equal(e.Code, a.Code);
    }

    private async Task<List<AuditEvent>> ReadAllAsync(AuditQuery query)
    {
        var all = new List<AuditEvent>();
        long after = 0;
        while (true)
        {
            var page = await Store.QueryAsync(query with { AfterSequence = after });
            all.AddRange(page.Events);
            if (page.NextAfterSequence is null)
            {
                return all;
            }

            after = page.NextAfterSequence.Value;
        }
    }

    // Twelve events, one second apart, over three runs, two principals and two routes.
    private async Task<List<AuditEvent>> SeedForQueriesAsync()
    {
        (string Run, string Principal, string Route)[] seed =
        [
            ("run-1", "alice", "support"),
            ("run-2", "bob", "research"),
            ("run-1", "alice", "support"),
            ("run-3", "alice", "research"),
            ("run-2", "bob", "research"),
            ("run-1", "alice", "support"),
            ("run-3", "alice", "research"),
            ("run-4", "bob", "support"),
            ("run-1", "alice", "support"),
            ("run-2", "bob", "research"),
            ("run-3", "alice", "research"),
            ("run-1", "alice", "support"),
        ];
        var events = new List<AuditEvent>();
        foreach (var (run, principal, route) in seed)
        {
            events.AddRange(await Store.AppendAsync([Entry(run, principal, route)]));
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        return events;
    }

    private static void AssertSequences(IEnumerable<AuditEvent> expected, AuditPage page)
    {
        Assert.Equal(expected.Select(e => e.Sequence), page.Events.Select(e => e.Sequence));
        Assert.Null(page.NextAfterSequence);
    }
}
