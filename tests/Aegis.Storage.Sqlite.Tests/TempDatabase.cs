using Microsoft.Data.Sqlite;

namespace Aegis.Storage.Sqlite.Tests;

/// <summary>A temporary directory with a database path in it; deleted on dispose.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aegis-sqlite-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Path = System.IO.Path.Combine(Directory, "aegis.db");
    }

    public string Directory { get; }

    public string Path { get; }

    public SqliteDatabase Open(SqliteStoreOptions? options = null) => SqliteDatabase.Open(Path, options);

    /// <summary>Every byte of the database and its side files (-wal, -shm, .key excluded).</summary>
    public byte[] RawBytes()
    {
        SqliteConnection.ClearAllPools();
        var bytes = new List<byte>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "aegis.db*"))
        {
            if (!file.EndsWith(".key", StringComparison.Ordinal))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var buffer = new byte[stream.Length];
                stream.ReadExactly(buffer);
                bytes.AddRange(buffer);
            }
        }

        return [.. bytes];
    }

    /// <summary>Runs raw SQL on the file, outside the store (to tamper or to inspect).</summary>
    public void Execute(string sql) => Raw(sql, command => command.ExecuteNonQuery());

    /// <summary>Reads one value from the file with raw SQL, outside the store.</summary>
    public object? Scalar(string sql) => Raw(sql, command => command.ExecuteScalar());

    /// <summary>An open connection of its own to the file, outside the store and any pool (to tamper, inspect or hold a lock).</summary>
    public SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private T Raw<T>(string sql, Func<SqliteCommand, T> run)
    {
        using var connection = OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return run(command);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
