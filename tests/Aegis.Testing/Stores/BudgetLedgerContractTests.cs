namespace Aegis.Testing;

/// <summary>
/// The behaviour every <see cref="IBudgetLedger"/> must have. Subclass it in a test project and
/// implement <see cref="StoreContractTests{TStore}.CreateStore"/>; every test gets a fresh, empty ledger.
/// </summary>
public abstract class BudgetLedgerContractTests : StoreContractTests<IBudgetLedger>
{
    private static readonly DateTimeOffset MidMarch = new(2025, 3, 15, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Spend_of_an_unknown_subject_is_zero()
    {
        Assert.Equal(0m, await Store.GetSpendAsync(BudgetScope.Principal, "alice", MidMarch));
    }

    [Fact]
    public async Task Add_returns_the_new_total_and_get_reads_it()
    {
        Assert.Equal(1.25m, await Store.AddSpendAsync(BudgetScope.Principal, "alice", MidMarch, 1.25m));
        Assert.Equal(3.7500m, await Store.AddSpendAsync(BudgetScope.Principal, "alice", MidMarch.AddDays(3), 2.5m));

        Assert.Equal(3.75m, await Store.GetSpendAsync(BudgetScope.Principal, "alice", MidMarch));
    }

    [Fact]
    public async Task Amounts_are_exact_decimals()
    {
        await Store.AddSpendAsync(BudgetScope.Team, "payments", MidMarch, 1234567.891234m);
        for (var i = 0; i < 10; i++)
        {
            await Store.AddSpendAsync(BudgetScope.Team, "payments", MidMarch, 0.1m);
        }

        Assert.Equal(1234568.891234m, await Store.GetSpendAsync(BudgetScope.Team, "payments", MidMarch));
    }

    [Fact]
    public async Task Adding_zero_is_allowed_and_changes_nothing()
    {
        await Store.AddSpendAsync(BudgetScope.Principal, "alice", MidMarch, 2m);

        Assert.Equal(2m, await Store.AddSpendAsync(BudgetScope.Principal, "alice", MidMarch, 0m));
    }

    [Fact]
    public async Task Adding_a_negative_amount_is_rejected()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.AddSpendAsync(BudgetScope.Principal, "alice", MidMarch, -1m).AsTask());

        Assert.Equal(0m, await Store.GetSpendAsync(BudgetScope.Principal, "alice", MidMarch));
    }

    [Fact]
    public async Task Scopes_and_subjects_are_kept_apart()
    {
        await Store.AddSpendAsync(BudgetScope.Principal, "alice", MidMarch, 1m);
        await Store.AddSpendAsync(BudgetScope.Principal, "bob", MidMarch, 2m);
        await Store.AddSpendAsync(BudgetScope.Team, "alice", MidMarch, 4m);
        await Store.AddSpendAsync(BudgetScope.Principal, "Alice", MidMarch, 8m);

        Assert.Equal(1m, await Store.GetSpendAsync(BudgetScope.Principal, "alice", MidMarch));
        Assert.Equal(2m, await Store.GetSpendAsync(BudgetScope.Principal, "bob", MidMarch));
        Assert.Equal(4m, await Store.GetSpendAsync(BudgetScope.Team, "alice", MidMarch));
        Assert.Equal(8m, await Store.GetSpendAsync(BudgetScope.Principal, "Alice", MidMarch));
        Assert.Equal(0m, await Store.GetSpendAsync(BudgetScope.Team, "bob", MidMarch));
    }

    [Fact]
    public async Task Months_are_kept_apart_at_the_utc_boundary()
    {
        var lastMinuteOfJanuary = new DateTimeOffset(2025, 1, 31, 23, 59, 0, TimeSpan.Zero);
        var firstMinuteOfFebruary = new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero);

        await Store.AddSpendAsync(BudgetScope.Principal, "alice", lastMinuteOfJanuary, 1m);
        await Store.AddSpendAsync(BudgetScope.Principal, "alice", firstMinuteOfFebruary, 2m);

        Assert.Equal(1m, await Store.GetSpendAsync(BudgetScope.Principal, "alice", new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(1m, await Store.GetSpendAsync(BudgetScope.Principal, "alice", lastMinuteOfJanuary));
        Assert.Equal(2m, await Store.GetSpendAsync(BudgetScope.Principal, "alice", firstMinuteOfFebruary));
        Assert.Equal(2m, await Store.GetSpendAsync(BudgetScope.Principal, "alice", new DateTimeOffset(2025, 2, 28, 23, 59, 59, TimeSpan.Zero)));
        Assert.Equal(0m, await Store.GetSpendAsync(BudgetScope.Principal, "alice", new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public async Task The_month_is_taken_in_utc_not_in_the_instant_s_offset()
    {
        // 01:30 on 1 February at +02:00 is 23:30 on 31 January in UTC: January's spend.
        var localFebruaryUtcJanuary = new DateTimeOffset(2025, 2, 1, 1, 30, 0, TimeSpan.FromHours(2));
        // 20:00 on 31 March at -05:00 is 01:00 on 1 April in UTC: April's spend.
        var localMarchUtcApril = new DateTimeOffset(2025, 3, 31, 20, 0, 0, TimeSpan.FromHours(-5));

        await Store.AddSpendAsync(BudgetScope.Team, "payments", localFebruaryUtcJanuary, 5m);
        await Store.AddSpendAsync(BudgetScope.Team, "payments", localMarchUtcApril, 7m);

        Assert.Equal(5m, await Store.GetSpendAsync(BudgetScope.Team, "payments", new DateTimeOffset(2025, 1, 15, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(0m, await Store.GetSpendAsync(BudgetScope.Team, "payments", new DateTimeOffset(2025, 2, 15, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(0m, await Store.GetSpendAsync(BudgetScope.Team, "payments", new DateTimeOffset(2025, 3, 15, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(7m, await Store.GetSpendAsync(BudgetScope.Team, "payments", new DateTimeOffset(2025, 4, 15, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(5m, await Store.GetSpendAsync(BudgetScope.Team, "payments", localFebruaryUtcJanuary));
    }

    [Fact]
    public async Task Years_are_kept_apart()
    {
        await Store.AddSpendAsync(BudgetScope.Principal, "alice", new DateTimeOffset(2024, 3, 10, 0, 0, 0, TimeSpan.Zero), 3m);

        Assert.Equal(0m, await Store.GetSpendAsync(BudgetScope.Principal, "alice", MidMarch));
    }

    [Fact]
    public async Task Concurrent_increments_sum_exactly_and_each_sees_its_own_total()
    {
        const int callers = 50;
        using var gate = new ManualResetEventSlim(false);

        var tasks = Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            gate.Wait();
            return await Store.AddSpendAsync(BudgetScope.Principal, "alice", MidMarch, 0.01m);
        })).ToArray();
        gate.Set();
        var totals = await Task.WhenAll(tasks);

        Assert.Equal(0.50m, await Store.GetSpendAsync(BudgetScope.Principal, "alice", MidMarch));
        Assert.Equal(Enumerable.Range(1, callers).Select(i => i * 0.01m), totals.Order());
    }
}
