namespace Aegis;

/// <summary>Who a budget applies to.</summary>
public enum BudgetScope
{
    /// <summary>One principal.</summary>
    Principal,

    /// <summary>A team.</summary>
    Team,
}

/// <summary>Spend per principal and per team per calendar month (UTC). Increments are atomic.</summary>
public interface IBudgetLedger
{
    /// <summary>Adds <paramref name="amount"/> to the spend of <paramref name="subject"/> for the month of <paramref name="at"/> (UTC) and returns the new total.</summary>
    ValueTask<decimal> AddSpendAsync(BudgetScope scope, string subject, DateTimeOffset at, decimal amount, CancellationToken cancellationToken = default);

    /// <summary>The spend of <paramref name="subject"/> for the month of <paramref name="at"/> (UTC).</summary>
    ValueTask<decimal> GetSpendAsync(BudgetScope scope, string subject, DateTimeOffset at, CancellationToken cancellationToken = default);
}
