using Aegis.Testing;

namespace Aegis.Storage.Sqlite.Tests.Contracts;

// The shared store contract suites (tests/Aegis.Testing), run against the SQLite stores on a real
// file in a fresh temp directory per test.

public sealed class SqliteRunStoreContractTests : RunStoreContractTests, IDisposable
{
    private readonly TempDatabase _temp = new();
    private SqliteDatabase? _database;

    protected override IRunStore CreateStore(TimeProvider time) => new SqliteRunStore(_database = _temp.Open());

    public void Dispose()
    {
        _database?.Dispose();
        _temp.Dispose();
    }
}

public sealed class SqliteAuditLedgerContractTests : AuditLedgerContractTests, IDisposable
{
    private readonly TempDatabase _temp = new();
    private SqliteDatabase? _database;

    protected override IAuditLedger CreateStore(TimeProvider time) => new SqliteAuditLedger(_database = _temp.Open());

    public void Dispose()
    {
        _database?.Dispose();
        _temp.Dispose();
    }
}

public sealed class SqliteApiKeyStoreContractTests : ApiKeyStoreContractTests, IDisposable
{
    private readonly TempDatabase _temp = new();
    private SqliteDatabase? _database;

    protected override IApiKeyStore CreateStore(TimeProvider time) => new SqliteApiKeyStore(_database = _temp.Open(), time);

    public void Dispose()
    {
        _database?.Dispose();
        _temp.Dispose();
    }
}

public sealed class SqliteBudgetLedgerContractTests : BudgetLedgerContractTests, IDisposable
{
    private readonly TempDatabase _temp = new();
    private SqliteDatabase? _database;

    protected override IBudgetLedger CreateStore(TimeProvider time) => new SqliteBudgetLedger(_database = _temp.Open());

    public void Dispose()
    {
        _database?.Dispose();
        _temp.Dispose();
    }
}
