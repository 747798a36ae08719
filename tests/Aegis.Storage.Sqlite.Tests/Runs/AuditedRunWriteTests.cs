using static Aegis.Storage.Sqlite.Tests.Runs.GroupCommitTests;

namespace Aegis.Storage.Sqlite.Tests.Runs;

/// <summary><see cref="SqliteRunStore.CreateWithAuditAsync"/> and <see cref="SqliteRunStore.TryUpdateWithAuditAsync"/>: a run and its audit events in one write, both or neither.</summary>
public sealed class AuditedRunWriteTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_run_and_its_events_are_stored_together_chained_and_survive_a_reopen()
    {
        using (var database = _temp.Open())
        {
            var store = new SqliteRunStore(database);
            var events = await store.CreateWithAuditAsync(Run("run-1", "hi"), [Entry("run-1", "first"), Entry("run-1", "second")]);

            Assert.Equal([1L, 2L], events.Select(e => e.Sequence));
            Assert.Equal(AuditChain.GenesisHash, events[0].PreviousHash);
            Assert.Equal(events[0].Hash, events[1].PreviousHash);
            Assert.Empty(await store.CreateWithAuditAsync(Run("run-2", null), []));
        }

        using var reopened = _temp.Open();
        await using var ledger = new SqliteAuditLedger(reopened);
        var runs = new SqliteRunStore(reopened);
        Assert.Equal("hi", (await runs.GetAsync("run-1"))!.Response);
        Assert.NotNull(await runs.GetAsync("run-2"));
        Assert.Equal(["first", "second"], (await ledger.GetRunEventsAsync("run-1")).Select(e => e.Entry.Reason));
        var verification = await ledger.VerifyAsync();
        Assert.True(verification.IsValid);
        Assert.Equal(2, verification.EventCount);
    }

    [Fact]
    public async Task A_duplicate_id_fails_its_call_and_appends_none_of_its_events_while_the_batch_around_it_commits()
    {
        using var database = _temp.Open();
        var store = new SqliteRunStore(database);
        await using var ledger = new SqliteAuditLedger(database);
        await store.CreateWithAuditAsync(Run("run-042", "first"), [Entry("run-042", "kept")]);

        // 100 concurrent calls share batches; call 42 reuses the stored id.
        var calls = Enumerable.Range(0, 100)
            .Select(i => Task.Run(async () =>
            {
                var id = i == 42 ? "run-042" : $"new-{i:D3}";
                return await store.CreateWithAuditAsync(Run(id, $"call {i}"), [Entry(id, $"call {i} a"), Entry(id, $"call {i} b")]);
            }))
            .ToArray();
        var failure = await Assert.ThrowsAsync<AegisException>(() => calls[42]);
        Assert.Equal(AegisErrors.StoreFailed.Code, failure.Code);
        Assert.Equal("run-042", failure.RunId);
        Assert.Contains("already exists", failure.Message, StringComparison.Ordinal);
        for (var i = 0; i < calls.Length; i++)
        {
            if (i != 42)
            {
                Assert.Equal(2, (await calls[i]).Count);
            }
        }

        Assert.Equal("first", (await store.GetAsync("run-042"))!.Response);
        Assert.Equal(["kept"], (await ledger.GetRunEventsAsync("run-042")).Select(e => e.Entry.Reason));
        var verification = await ledger.VerifyAsync();
        Assert.True(verification.IsValid);
        Assert.Equal(1 + (99 * 2), verification.EventCount);
    }

    [Fact]
    public void Only_a_ledger_on_the_same_database_is_shared()
    {
        using var database = _temp.Open();
        using var other = new TempDatabase();
        using var otherDatabase = other.Open();
        using var sameLedger = new SqliteAuditLedger(database);
        using var otherLedger = new SqliteAuditLedger(otherDatabase);
        var store = new SqliteRunStore(database);

        Assert.True(store.SharesLedger(sameLedger));
        Assert.False(store.SharesLedger(otherLedger));
        Assert.False(store.SharesLedger(new InMemoryAuditLedger()));
    }

    [Fact]
    public async Task An_audited_compare_and_set_appends_only_when_it_wins_and_exactly_one_of_many_wins()
    {
        using var database = _temp.Open();
        var store = new SqliteRunStore(database);
        await using var ledger = new SqliteAuditLedger(database);
        await store.CreateWithAuditAsync(Run("run-1", null) with { Status = RunStatus.Paused }, [Entry("run-1", "paused")]);

        Assert.Null(await store.TryUpdateWithAuditAsync(Run("run-1", "no"), RunStatus.Running, [Entry("run-1", "lost")]));
        Assert.Null(await store.TryUpdateWithAuditAsync(Run("missing", "no"), RunStatus.Paused, [Entry("missing", "lost")]));

        var attempts = Enumerable.Range(0, 20)
            .Select(i => Task.Run(async () => await store.TryUpdateWithAuditAsync(Run("run-1", $"call {i}"), RunStatus.Paused, [Entry("run-1", $"call {i}")])))
            .ToArray();
        var outcomes = await Task.WhenAll(attempts);

        var winner = Assert.Single(outcomes, o => o is not null)!;
        var reason = Assert.Single(winner).Entry.Reason;
        Assert.Equal(reason, (await store.GetAsync("run-1"))!.Response);
        Assert.Equal(["paused", reason], (await ledger.GetRunEventsAsync("run-1")).Select(e => e.Entry.Reason));
        Assert.Empty(await ledger.GetRunEventsAsync("missing"));
        Assert.True((await ledger.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Bad_arguments_are_refused_before_anything_is_written()
    {
        using var database = _temp.Open();
        var store = new SqliteRunStore(database);

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.CreateWithAuditAsync(Run("run-1", null), null!));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.CreateWithAuditAsync(Run("run-1", null), [Entry("run-1", "a"), null!]));
        Assert.Null(await store.GetAsync("run-1"));
    }
}
