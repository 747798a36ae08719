using Microsoft.Extensions.AI;

namespace Aegis.Testing;

/// <summary>
/// The behaviour every <see cref="IRunStore"/> must have. Subclass it in a test project and implement
/// <see cref="StoreContractTests{TStore}.CreateStore"/>; every test gets a fresh, empty store.
/// </summary>
public abstract class RunStoreContractTests : StoreContractTests<IRunStore>
{
    [Fact]
    public async Task Create_then_get_round_trips_every_field()
    {
        var run = FullRun();

        await Store.CreateAsync(run);
        var read = await Store.GetAsync(run.Id);

        Assert.NotNull(read);
        AssertSameRun(run, read);
    }

    [Fact]
    public async Task Create_then_get_round_trips_a_minimal_run()
    {
        var run = NewRun(RunStatus.Completed);

        await Store.CreateAsync(run);
        var read = await Store.GetAsync(run.Id);

        Assert.NotNull(read);
        AssertSameRun(run, read);
    }

    [Fact]
    public async Task Create_with_an_existing_id_fails_with_store_failed_and_keeps_the_first()
    {
        var first = NewRun(RunStatus.Running) with { Response = "first" };
        await Store.CreateAsync(first);

        var ex = await AssertAegisErrorAsync(AegisErrors.StoreFailed, () => Store.CreateAsync(first with { Response = "second" }).AsTask());

        Assert.Contains(first.Id, ex.Message, StringComparison.Ordinal);
        Assert.Equal("first", (await Store.GetAsync(first.Id))!.Response);
    }

    [Fact]
    public async Task Get_of_an_unknown_id_returns_null()
    {
        await Store.CreateAsync(NewRun(RunStatus.Running));

        Assert.Null(await Store.GetAsync(Guid.NewGuid().ToString()));
    }

    [Fact]
    public async Task TryUpdate_with_the_expected_status_replaces_the_record()
    {
        var run = FullRun();
        await Store.CreateAsync(run);
        Time.Advance(TimeSpan.FromSeconds(3));
        var done = run with
        {
            Status = RunStatus.Completed,
            Response = "all done",
            Reason = null,
            ErrorCode = null,
            Checkpoint = null,
            Usage = new RunUsage(120, 45),
            UpdatedAt = Time.GetUtcNow(),
        };

        Assert.True(await Store.TryUpdateAsync(done, RunStatus.Paused));

        AssertSameRun(done, (await Store.GetAsync(run.Id))!);
    }

    [Fact]
    public async Task TryUpdate_with_the_wrong_expectation_returns_false_and_changes_nothing()
    {
        var run = NewRun(RunStatus.Paused) with { Reason = "needs approval" };
        await Store.CreateAsync(run);

        var updated = await Store.TryUpdateAsync(run with { Status = RunStatus.Completed, Reason = "changed" }, RunStatus.Running);

        Assert.False(updated);
        var read = await Store.GetAsync(run.Id);
        Assert.Equal(RunStatus.Paused, read!.Status);
        Assert.Equal("needs approval", read.Reason);
    }

    [Fact]
    public async Task TryUpdate_of_an_unknown_run_returns_false_and_creates_nothing()
    {
        var run = NewRun(RunStatus.Running);

        Assert.False(await Store.TryUpdateAsync(run, RunStatus.Paused));
        Assert.Null(await Store.GetAsync(run.Id));
    }

    [Fact]
    public async Task Concurrent_TryUpdate_with_the_same_expectation_has_exactly_one_winner()
    {
        const int callers = 50;
        var run = NewRun(RunStatus.Paused);
        await Store.CreateAsync(run);
        using var gate = new ManualResetEventSlim(false);

        var attempts = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            gate.Wait();
            return await Store.TryUpdateAsync(run with { Status = RunStatus.Running, Response = $"winner {i}" }, RunStatus.Paused);
        })).ToArray();
        gate.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(1, results.Count(r => r));
        var winner = Array.IndexOf(results, true);
        var read = await Store.GetAsync(run.Id);
        Assert.Equal(RunStatus.Running, read!.Status);
        Assert.Equal($"winner {winner}", read.Response);
    }

    [Fact]
    public async Task List_returns_newest_first()
    {
        var created = new List<RunRecord>();
        for (var i = 0; i < 5; i++)
        {
            var run = NewRun(RunStatus.Completed);
            created.Add(run);
            await Store.CreateAsync(run);
            Time.Advance(TimeSpan.FromMinutes(1));
        }

        var page = await Store.ListAsync(new RunQuery());

        Assert.Equal(created.Select(r => r.Id).Reverse(), page.Runs.Select(r => r.Id));
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task List_of_an_empty_store_is_an_empty_last_page()
    {
        var page = await Store.ListAsync(new RunQuery());

        Assert.Empty(page.Runs);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task List_filters_by_principal()
    {
        var runs = await SeedForFiltersAsync();

        var page = await Store.ListAsync(new RunQuery { PrincipalId = "alice" });

        AssertIds(runs.Where(r => r.PrincipalId == "alice"), page);
    }

    [Fact]
    public async Task List_filters_by_route()
    {
        var runs = await SeedForFiltersAsync();

        var page = await Store.ListAsync(new RunQuery { Route = "support" });

        AssertIds(runs.Where(r => r.Route == "support"), page);
    }

    [Fact]
    public async Task List_filters_by_status()
    {
        var runs = await SeedForFiltersAsync();

        var page = await Store.ListAsync(new RunQuery { Status = RunStatus.Paused });

        AssertIds(runs.Where(r => r.Status == RunStatus.Paused), page);
    }

    [Fact]
    public async Task List_filters_by_since_inclusively()
    {
        var runs = await SeedForFiltersAsync();
        var since = runs[4].CreatedAt;

        var page = await Store.ListAsync(new RunQuery { Since = since });

        AssertIds(runs.Where(r => r.CreatedAt >= since), page);
        Assert.Contains(page.Runs, r => r.Id == runs[4].Id);
        Assert.DoesNotContain(page.Runs, r => r.Id == runs[3].Id);
    }

    [Fact]
    public async Task List_since_compares_instants_not_local_times()
    {
        var runs = await SeedForFiltersAsync();
        var since = runs[4].CreatedAt.ToOffset(TimeSpan.FromHours(-5));

        var page = await Store.ListAsync(new RunQuery { Since = since });

        AssertIds(runs.Skip(4), page);
    }

    [Fact]
    public async Task List_filters_combine_with_and()
    {
        var runs = await SeedForFiltersAsync();
        var since = runs[2].CreatedAt;

        var page = await Store.ListAsync(new RunQuery
        {
            PrincipalId = "alice",
            Route = "support",
            Status = RunStatus.Completed,
            Since = since,
        });

        AssertIds([runs[3], runs[6], runs[11]], page);
    }

    [Fact]
    public async Task List_filter_that_matches_nothing_returns_an_empty_last_page()
    {
        await SeedForFiltersAsync();

        var page = await Store.ListAsync(new RunQuery { PrincipalId = "alice", Route = "nobody-uses-this" });

        Assert.Empty(page.Runs);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task List_pages_through_every_run_once_in_order()
    {
        // 23 runs, several created at the same instant, so the order within one instant matters.
        var created = new List<RunRecord>();
        for (var i = 0; i < 23; i++)
        {
            var run = NewRun(RunStatus.Completed);
            created.Add(run);
            await Store.CreateAsync(run);
            if (i % 3 == 2)
            {
                Time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        var seen = new List<RunRecord>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Store.ListAsync(new RunQuery { Limit = 5, Cursor = cursor });
            Assert.True(page.Runs.Count <= 5);
            Assert.True(page.NextCursor is null || page.Runs.Count == 5, "only the last page may be short");
            seen.AddRange(page.Runs);
            cursor = page.NextCursor;
            pages++;
            Assert.True(pages <= 10, "paging does not end");
        }
        while (cursor is not null);

        Assert.Equal(5, pages);
        Assert.Equal(created.Count, seen.Count);
        Assert.Equal(created.Select(r => r.Id).Order(StringComparer.Ordinal), seen.Select(r => r.Id).Order(StringComparer.Ordinal));
        for (var i = 1; i < seen.Count; i++)
        {
            Assert.True(seen[i - 1].CreatedAt >= seen[i].CreatedAt, $"run {i} is newer than run {i - 1}");
        }
    }

    [Fact]
    public async Task List_paging_keeps_the_filters()
    {
        var runs = await SeedForFiltersAsync();
        var expected = runs.Where(r => r.PrincipalId == "alice").Reverse().Select(r => r.Id).ToList();

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Store.ListAsync(new RunQuery { PrincipalId = "alice", Limit = 2, Cursor = cursor });
            seen.AddRange(page.Runs.Select(r => r.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task List_has_no_next_cursor_when_the_last_page_is_exactly_full()
    {
        for (var i = 0; i < 4; i++)
        {
            await Store.CreateAsync(NewRun(RunStatus.Completed));
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        var first = await Store.ListAsync(new RunQuery { Limit = 2 });
        var second = await Store.ListAsync(new RunQuery { Limit = 2, Cursor = first.NextCursor });

        Assert.NotNull(first.NextCursor);
        Assert.Equal(2, second.Runs.Count);
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task List_does_not_repeat_runs_created_while_paging()
    {
        for (var i = 0; i < 4; i++)
        {
            await Store.CreateAsync(NewRun(RunStatus.Completed));
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        var first = await Store.ListAsync(new RunQuery { Limit = 2 });
        await Store.CreateAsync(NewRun(RunStatus.Completed));
        var second = await Store.ListAsync(new RunQuery { Limit = 2, Cursor = first.NextCursor });

        Assert.Empty(first.Runs.Select(r => r.Id).Intersect(second.Runs.Select(r => r.Id)));
        Assert.Equal(2, second.Runs.Count);
    }

    [Theory]
    [InlineData("not a cursor")]
    [InlineData("%%%")]
    [InlineData("")]
    public async Task List_with_an_invalid_cursor_fails_with_invalid_field(string cursor)
    {
        await Store.CreateAsync(NewRun(RunStatus.Completed));

        var ex = await AssertAegisErrorAsync(AegisErrors.RequestInvalidField, () => Store.ListAsync(new RunQuery { Cursor = cursor }).AsTask());

        Assert.StartsWith("cursor", ex.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public async Task List_with_a_limit_out_of_range_fails_with_invalid_field(int limit)
    {
        var ex = await AssertAegisErrorAsync(AegisErrors.RequestInvalidField, () => Store.ListAsync(new RunQuery { Limit = limit }).AsTask());

        Assert.StartsWith("limit", ex.Detail, StringComparison.Ordinal);
    }

    /// <summary>A new run created now (by the suite's clock) with only the required fields.</summary>
    protected RunRecord NewRun(RunStatus status, string principalId = "alice", string route = "support")
    {
        var now = Time.GetUtcNow();
        return new RunRecord
        {
            Id = Guid.NewGuid().ToString(),
            Route = route,
            PrincipalId = principalId,
            Status = status,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>A paused run with every field set, including a checkpoint with a mask map.</summary>
    protected RunRecord FullRun()
    {
        var created = Time.GetUtcNow();
        Time.Advance(TimeSpan.FromMilliseconds(1234));
        return new RunRecord
        {
            Id = Guid.NewGuid().ToString(),
            Route = "support",
            PrincipalId = "alice",
            Team = "payments",
            Status = RunStatus.Paused,
            Approvers = ["bob", "carol"],
            Messages =
            [
                new ChatMessage(ChatRole.System, "You are a helpful assistant."),
                new ChatMessage(ChatRole.User, "My email is <EMAIL_ADDRESS_1>, please refund order 42."),
                new ChatMessage(ChatRole.Assistant, "I can do that once a human approves."),
                new ChatMessage(ChatRole.Tool, "{\"order\":42,\"status\":\"shipped\"}"),
            ],
            Response = null,
            Reason = "refunds need approval",
            ErrorCode = "AEG-GRD-002",
            Usage = new RunUsage(321, 54),
            CreatedAt = created,
            UpdatedAt = Time.GetUtcNow(),
            Background = true,
            Checkpoint = new RunCheckpoint
            {
                Stage = GuardStage.Egress,
                NextGuardIndex = 2,
                Content = [new ChatMessage(ChatRole.Assistant, "Refund issued to <EMAIL_ADDRESS_1>.")],
                Messages =
                [
                    new ChatMessage(ChatRole.User, "My email is <EMAIL_ADDRESS_1>, please refund order 42."),
                ],
                Labels = new Dictionary<string, string> { ["classification"] = "pii", ["intent"] = "refund" },
                MaskMap =
                [
                    new MaskMapEntry("<EMAIL_ADDRESS_1>", "EMAIL_ADDRESS", "alice@example.com"),
                    new MaskMapEntry("<PHONE_NUMBER_1>", "PHONE_NUMBER", "+44 20 7946 0958"),
                    new MaskMapEntry("<EMAIL_ADDRESS_2>", "EMAIL_ADDRESS", "ops@corp.example") { Withheld = true },
                ],
                Provider = "openai-main",
                FinishReason = "stop",
                Options = null,
                PrincipalLabels = new Dictionary<string, string> { ["env"] = "prod" },
            },
        };
    }

    /// <summary>Asserts that a run read back equals the one written, field by field.</summary>
    protected static void AssertSameRun(RunRecord expected, RunRecord actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Route, actual.Route);
        Assert.Equal(expected.PrincipalId, actual.PrincipalId);
        Assert.Equal(expected.Team, actual.Team);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Approvers, actual.Approvers);
        AssertSameMessages(expected.Messages, actual.Messages);
        Assert.Equal(expected.Response, actual.Response);
        Assert.Equal(expected.Reason, actual.Reason);
        Assert.Equal(expected.ErrorCode, actual.ErrorCode);
        Assert.Equal(expected.Usage, actual.Usage);
        AssertSameInstant(expected.CreatedAt, actual.CreatedAt);
        AssertSameInstant(expected.UpdatedAt, actual.UpdatedAt);
        Assert.Equal(expected.Background, actual.Background);
        if (expected.Checkpoint is null)
        {
            Assert.Null(actual.Checkpoint);
            return;
        }

        var e = expected.Checkpoint;
        var a = actual.Checkpoint;
        Assert.NotNull(a);
        Assert.Equal(e.Stage, a.Stage);
        Assert.Equal(e.NextGuardIndex, a.NextGuardIndex);
        AssertSameMessages(e.Content, a.Content);
        AssertSameMessages(e.Messages, a.Messages);
        Assert.Equal(e.Labels.OrderBy(p => p.Key, StringComparer.Ordinal), a.Labels.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(e.MaskMap, a.MaskMap);
        Assert.Equal(e.Provider, a.Provider);
        Assert.Equal(e.FinishReason, a.FinishReason);
        Assert.Equal(e.Options is null, a.Options is null);
        Assert.Equal(e.PrincipalLabels.OrderBy(p => p.Key, StringComparer.Ordinal), a.PrincipalLabels.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    /// <summary>Asserts that two conversations have the same roles and texts in the same order.</summary>
    protected static void AssertSameMessages(IReadOnlyList<ChatMessage> expected, IReadOnlyList<ChatMessage> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Role, actual[i].Role);
            Assert.Equal(expected[i].Text, actual[i].Text);
        }
    }

    // Twelve runs, one minute apart, chosen so that each filter of the combined query excludes a run
    // that every other filter lets through.
    private async Task<List<RunRecord>> SeedForFiltersAsync()
    {
        (string Principal, string Route, RunStatus Status)[] seed =
        [
            ("alice", "support", RunStatus.Completed),
            ("bob", "support", RunStatus.Completed),
            ("alice", "research", RunStatus.Paused),
            ("alice", "support", RunStatus.Completed),
            ("bob", "research", RunStatus.Blocked),
            ("alice", "support", RunStatus.Paused),
            ("alice", "support", RunStatus.Completed),
            ("bob", "support", RunStatus.Completed),
            ("alice", "research", RunStatus.Completed),
            ("bob", "support", RunStatus.Paused),
            ("alice", "support", RunStatus.Blocked),
            ("alice", "support", RunStatus.Completed),
        ];
        var runs = new List<RunRecord>();
        foreach (var (principal, route, status) in seed)
        {
            var run = NewRun(status, principal, route);
            runs.Add(run);
            await Store.CreateAsync(run);
            Time.Advance(TimeSpan.FromMinutes(1));
        }

        return runs;
    }

    private static void AssertIds(IEnumerable<RunRecord> expectedOldestFirst, RunPage page)
    {
        Assert.Equal(expectedOldestFirst.Reverse().Select(r => r.Id), page.Runs.Select(r => r.Id));
        Assert.Null(page.NextCursor);
    }
}
