namespace Aegis.Storage.Benchmarks;

/// <summary>A database in a fresh temporary directory, deleted on dispose.</summary>
internal sealed class BenchmarkDatabase : IDisposable
{
    private readonly string _directory;

    public BenchmarkDatabase()
    {
        _directory = Path.Combine(Path.GetTempPath(), "aegis-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        FilePath = Path.Combine(_directory, "aegis.db");
        Database = SqliteDatabase.Open(FilePath);
    }

    public SqliteDatabase Database { get; }

    /// <summary>The database file (its <c>-wal</c> file beside it).</summary>
    public string FilePath { get; }

    /// <summary>Bytes in the database file and its WAL now.</summary>
    public long Bytes() => Size(FilePath) + Size(FilePath + "-wal");

    private static long Size(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    public void Dispose()
    {
        Database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
