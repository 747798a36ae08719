namespace Aegis.Storage.Benchmarks;

/// <summary>A database in a fresh temporary directory, deleted on dispose.</summary>
internal sealed class BenchmarkDatabase : IDisposable
{
    private readonly string _directory;

    public BenchmarkDatabase()
    {
        _directory = Path.Combine(Path.GetTempPath(), "aegis-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        Database = SqliteDatabase.Open(Path.Combine(_directory, "aegis.db"));
    }

    public SqliteDatabase Database { get; }

    public void Dispose()
    {
        Database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
