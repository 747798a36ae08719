using Microsoft.Extensions.AI;

namespace Aegis.Storage.Sqlite.Tests.Runs;

/// <summary>Run writes and audit appends share the database's group-commit writer.</summary>
public sealed class GroupCommitTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Two_hundred_concurrent_creates_complete_and_a_duplicate_fails_only_its_own_call()
    {
        using var database = _temp.Open();
        var store = new SqliteRunStore(database);
        var ids = Enumerable.Range(0, 200).Select(i => $"run-{i:D3}").ToArray();

        // Call 137 reuses the id of call 42: exactly one of the two wins, whichever the writer takes first.
        var calls = Enumerable.Range(0, 201)
            .Select(i => Task.Run(async () => await store.CreateAsync(Run(i == 200 ? ids[42] : ids[i], $"call {i}"))))
            .ToArray();
        var outcome = await Task.WhenAll(calls.Select(async t =>
        {
            try
            {
                await t;
                return null;
            }
            catch (AegisException ex)
            {
                return ex;
            }
        }));

        var failures = outcome.Where(e => e is not null).ToArray();
        var failure = Assert.Single(failures);
        Assert.Equal(AegisErrors.StoreFailed.Code, failure!.Code);
        Assert.Equal(ids[42], failure.RunId);
        Assert.Contains("already exists", failure.Message, StringComparison.Ordinal);

        foreach (var id in ids)
        {
            var read = await store.GetAsync(id);
            Assert.NotNull(read);
            Assert.Equal(RunStatus.Completed, read.Status);
        }

        var winner = (await store.GetAsync(ids[42]))!.Response;
        var failedCall = Array.IndexOf(outcome, failure);
        Assert.Equal(failedCall == 42 ? "call 200" : "call 42", winner);
        Assert.Equal(200, await CountAsync(store));
    }

    [Fact]
    public async Task Concurrent_compare_and_sets_on_one_instance_have_exactly_one_winner_each()
    {
        using var database = _temp.Open();
        var store = new SqliteRunStore(database);
        for (var r = 0; r < 5; r++)
        {
            await store.CreateAsync(Run($"cas-{r}", null) with { Status = RunStatus.Paused });
        }

        var attempts = Enumerable.Range(0, 100)
            .Select(i => Task.Run(async () => (Run: i % 5, Won: await store.TryUpdateAsync(Run($"cas-{i % 5}", $"attempt {i}"), RunStatus.Paused))))
            .ToArray();
        var results = await Task.WhenAll(attempts);

        for (var r = 0; r < 5; r++)
        {
            var won = results.Where(x => x.Run == r && x.Won).ToArray();
            Assert.Single(won);
            Assert.Equal(RunStatus.Completed, (await store.GetAsync($"cas-{r}"))!.Status);
        }
    }

    [Fact]
    public async Task Run_writes_and_audit_appends_interleaved_are_all_durable_and_the_chain_verifies()
    {
        var tasks = new List<Task>();
        using (var database = _temp.Open())
        {
            var store = new SqliteRunStore(database);
            await using var ledger = new SqliteAuditLedger(database);
            for (var i = 0; i < 100; i++)
            {
                var run = Run($"run-{i:D3}", "done");
                tasks.Add(store.CreateAsync(run).AsTask());
                tasks.Add(ledger.AppendAsync([Entry(run.Id, "first"), Entry(run.Id, "second")]).AsTask());
            }

            await Task.WhenAll(tasks);
        }

        using var reopened = _temp.Open();
        var reread = new SqliteRunStore(reopened);
        await using var audit = new SqliteAuditLedger(reopened);
        Assert.Equal(100, await CountAsync(reread));
        Assert.True((await audit.VerifyAsync()).IsValid);
        var events = await audit.GetRunEventsAsync("run-057");
        Assert.Equal(["first", "second"], events.Select(e => e.Entry.Reason));
        Assert.Equal(events[0].Sequence + 1, events[1].Sequence);
    }

    [Fact]
    public async Task Disposing_the_database_writes_what_is_queued()
    {
        var pending = new List<Task>();
        using (var database = _temp.Open())
        {
            var store = new SqliteRunStore(database);
            for (var i = 0; i < 50; i++)
            {
                pending.Add(store.CreateAsync(Run($"run-{i:D2}", null)).AsTask());
            }
        }

        await Task.WhenAll(pending);
        using var reopened = _temp.Open();
        Assert.Equal(50, await CountAsync(new SqliteRunStore(reopened)));

        var closed = _temp.Open();
        var late = new SqliteRunStore(closed);
        closed.Dispose();
        var ex = await Assert.ThrowsAsync<AegisException>(async () => await late.CreateAsync(Run("late", null)));
        Assert.Equal(AegisErrors.StoreFailed.Code, ex.Code);
        Assert.Contains("closed", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<int> CountAsync(SqliteRunStore store)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await store.ListAsync(new RunQuery { Limit = 1000, Cursor = cursor });
            count += page.Runs.Count;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return count;
    }

    internal static RunRecord Run(string id, string? response)
    {
        var at = new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);
        return new RunRecord
        {
            Id = id,
            Route = "support",
            PrincipalId = "bob",
            Status = RunStatus.Completed,
            Messages = [new ChatMessage(ChatRole.User, "hello")],
            Response = response,
            CreatedAt = at,
            UpdatedAt = at,
        };
    }

    internal static AuditEntry Entry(string runId, string reason) => new()
    {
        Timestamp = new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero),
        RunId = runId,
        PrincipalId = "bob",
        Route = "support",
        Stage = GuardStage.Ingress,
        Node = "pii",
        Verdict = VerdictKind.Allow,
        Reason = reason,
    };
}
