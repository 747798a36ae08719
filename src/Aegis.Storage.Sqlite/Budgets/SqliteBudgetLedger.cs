using System.Globalization;

namespace Aegis;

/// <summary>
/// <see cref="IBudgetLedger"/> on a <see cref="SqliteDatabase"/>: one row per
/// <c>(scope, subject, period 'YYYY-MM' UTC)</c>. Amounts are kept as exact decimal text (SQLite has
/// no decimal type and REAL would round money), so an increment reads and writes the row inside one
/// <c>BEGIN IMMEDIATE</c> transaction: the write lock is held from the read to the commit, which
/// makes the increment atomic across every process sharing the file.
/// </summary>
public sealed class SqliteBudgetLedger : IBudgetLedger
{
    private readonly SqliteDatabase _database;

    /// <summary>Creates the ledger over an opened database.</summary>
    public SqliteBudgetLedger(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public ValueTask<decimal> AddSpendAsync(BudgetScope scope, string subject, DateTimeOffset at, decimal amount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        cancellationToken.ThrowIfCancellationRequested();
        var period = Period(at);
        try
        {
            using var lease = _database.Rent();
            using var transaction = lease.BeginWrite();
            var total = Read(lease, transaction, scope, subject, period) + amount;
            var write = lease.Command("INSERT INTO budgets (scope, subject, period, amount) VALUES ($scope, $subject, $period, $amount) ON CONFLICT (scope, subject, period) DO UPDATE SET amount = excluded.amount;", transaction);
            write.Parameters.AddWithValue("$scope", ScopeName(scope));
            write.Parameters.AddWithValue("$subject", subject);
            write.Parameters.AddWithValue("$period", period);
            write.Parameters.AddWithValue("$amount", total.ToString(CultureInfo.InvariantCulture));
            write.ExecuteNonQuery();
            transaction.Commit();
            return ValueTask.FromResult(total);
        }
        catch (Exception ex) when (ex is not AegisException)
        {
            throw _database.Failed($"adding spend for {ScopeName(scope)} {subject}", ex);
        }
    }

    /// <inheritdoc />
    public ValueTask<decimal> GetSpendAsync(BudgetScope scope, string subject, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var lease = _database.Rent();
            return ValueTask.FromResult(Read(lease, null, scope, subject, Period(at)));
        }
        catch (Exception ex) when (ex is not AegisException)
        {
            throw _database.Failed($"reading spend for {ScopeName(scope)} {subject}", ex);
        }
    }

    private static decimal Read(Storage.Sqlite.Connections.ConnectionPool.Lease lease, Microsoft.Data.Sqlite.SqliteTransaction? transaction, BudgetScope scope, string subject, string period)
    {
        var read = lease.Command("SELECT amount FROM budgets WHERE scope = $scope AND subject = $subject AND period = $period;", transaction);
        read.Parameters.AddWithValue("$scope", ScopeName(scope));
        read.Parameters.AddWithValue("$subject", subject);
        read.Parameters.AddWithValue("$period", period);
        return read.ExecuteScalar() is string text ? decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture) : 0m;
    }

    private static string Period(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static string ScopeName(BudgetScope scope) => scope switch
    {
        BudgetScope.Principal => "principal",
        BudgetScope.Team => "team",
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, null),
    };
}
