namespace Aegis.Storage.Sqlite.Tests.Budgets;

public sealed class SqliteBudgetLedgerTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Concurrent_increments_from_two_instances_are_all_counted_exactly()
    {
        using var first = _temp.Open();
        using var second = _temp.Open();
        var a = new SqliteBudgetLedger(first);
        var b = new SqliteBudgetLedger(second);
        var at = new DateTimeOffset(2025, 7, 31, 23, 30, 0, TimeSpan.Zero);
        var adds = Enumerable.Range(0, 100)
            .Select(i => Task.Run(async () => await (i % 2 == 0 ? a : b).AddSpendAsync(BudgetScope.Team, "platform", at, 0.01m)))
            .ToArray();
        var totals = await Task.WhenAll(adds);

        Assert.Equal(1.00m, await a.GetSpendAsync(BudgetScope.Team, "platform", at));
        Assert.Equal(100, totals.Distinct().Count());
        Assert.Equal(0m, await a.GetSpendAsync(BudgetScope.Principal, "platform", at));
    }

    [Fact]
    public async Task Months_are_calendar_months_in_utc()
    {
        using var database = _temp.Open();
        var ledger = new SqliteBudgetLedger(database);
        // 2025-08-01 01:00 at +02:00 is still July in UTC.
        var lateJuly = new DateTimeOffset(2025, 8, 1, 1, 0, 0, TimeSpan.FromHours(2));
        await ledger.AddSpendAsync(BudgetScope.Principal, "alice", lateJuly, 2.5m);
        Assert.Equal(4m, await ledger.AddSpendAsync(BudgetScope.Principal, "alice", new DateTimeOffset(2025, 7, 2, 0, 0, 0, TimeSpan.Zero), 1.5m));
        Assert.Equal(0m, await ledger.GetSpendAsync(BudgetScope.Principal, "alice", new DateTimeOffset(2025, 8, 1, 0, 0, 0, TimeSpan.Zero)));
    }
}
