namespace Aegis.Storage.Benchmarks;

/// <summary>A database in a fresh temporary directory, deleted on dispose.</summary>
internal sealed class BenchmarkDatabase : IDisposable
{
    private readonly string _directory;
    private readonly string _path;

    public BenchmarkDatabase(SqliteStoreOptions? options = null)
    {
        _directory = Path.Combine(Path.GetTempPath(), "aegis-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _path = Path.Combine(_directory, "aegis.db");
        Database = SqliteDatabase.Open(_path, options);
    }

    public SqliteDatabase Database { get; }

    /// <summary>Bytes in the database file and its WAL now.</summary>
    public long Bytes() => Size(_path) + Size(_path + "-wal");

    private static long Size(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    public void Dispose()
    {
        Database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
