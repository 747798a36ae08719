namespace Aegis;

/// <summary>
/// A process-local <see cref="IBudgetLedger"/> for tests and pure-library use: spend per
/// (scope, subject, UTC year and month), incremented atomically. Thread-safe, but not durable and not
/// shared between processes.
/// </summary>
public sealed class InMemoryBudgetLedger : IBudgetLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(BudgetScope Scope, string Subject, int Month), decimal> _spend = [];

    /// <inheritdoc />
    public ValueTask<decimal> AddSpendAsync(BudgetScope scope, string subject, DateTimeOffset at, decimal amount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        cancellationToken.ThrowIfCancellationRequested();
        var key = (scope, subject, MonthOf(at));
        lock (_lock)
        {
            var total = _spend.GetValueOrDefault(key) + amount;
            _spend[key] = total;
            return ValueTask.FromResult(total);
        }
    }

    /// <inheritdoc />
    public ValueTask<decimal> GetSpendAsync(BudgetScope scope, string subject, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_spend.GetValueOrDefault((scope, subject, MonthOf(at))));
        }
    }

    private static int MonthOf(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return (utc.Year * 12) + utc.Month - 1;
    }
}
