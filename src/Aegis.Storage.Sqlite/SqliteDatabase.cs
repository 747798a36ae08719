using Aegis.Storage.Sqlite.Connections;
using Aegis.Storage.Sqlite.Encryption;
using Aegis.Storage.Sqlite.Schema;
using Aegis.Storage.Sqlite.Writes;
using Microsoft.Data.Sqlite;

namespace Aegis;

/// <summary>
/// One SQLite database file that holds every Aegis store (runs, audit ledger, API keys, budgets,
/// vectors). <see cref="Open"/> validates the file and prepares it: the directory must exist, the
/// file must be SQLite (or absent/empty), writable, and not from a newer Aegis; the schema is
/// created or migrated forward, WAL mode is switched on and the mask-map encryption key is resolved.
/// Every failure is an <see cref="AegisException"/> naming the path and the fix, raised here, at
/// start-up, rather than on the first request. Thread-safe; share one instance per file and process.
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();
    private readonly ConnectionPool _pool;

    private SqliteDatabase(string path, SqliteStoreOptions options, ConnectionPool pool, MaskMapProtector protector, int migratedFrom)
    {
        Path = path;
        Options = options;
        _pool = pool;
        Protector = protector;
        MigratedFromVersion = migratedFrom;
        Writer = new GroupCommitWriter(this, pool.OpenNew, options.AuditBatchSize);
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>The schema version this program writes (<c>PRAGMA user_version</c>).</summary>
    public static int SchemaVersion => SchemaMigrations.CurrentVersion;

    /// <summary>The schema version the file had when it was opened (0 for a new file).</summary>
    public int MigratedFromVersion { get; }

    internal SqliteStoreOptions Options { get; }

    internal MaskMapProtector Protector { get; }

    /// <summary>The single group-commit writer that run writes and audit appends go through.</summary>
    internal GroupCommitWriter Writer { get; }

    /// <summary>The in-memory copies of vector collections, by collection name.</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<string, Storage.Sqlite.Vectors.VectorCache> VectorCaches { get; } = new(StringComparer.Ordinal);

    /// <summary>Opens (creating if needed) and validates the database at <paramref name="path"/>.</summary>
    /// <param name="path">The database file, e.g. <c>aegis.db</c>.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="AegisException">
    /// <see cref="AegisErrors.StoreDirectoryMissing"/>, <see cref="AegisErrors.StoreNotADatabase"/>,
    /// <see cref="AegisErrors.StoreReadOnly"/>, <see cref="AegisErrors.StoreSchemaTooNew"/>,
    /// <see cref="AegisErrors.StoreKeyInvalid"/> or <see cref="AegisErrors.StoreFailed"/>.
    /// </exception>
    public static SqliteDatabase Open(string path, SqliteStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new SqliteStoreOptions();
        var full = System.IO.Path.GetFullPath(path);
        CheckFile(full);

        var pool = new ConnectionPool(full, options.BusyTimeout, options.MaxIdleConnections);
        try
        {
            using var connection = pool.OpenNew();
            var version = SchemaMigrations.ReadVersion(connection);
            if (version > SchemaMigrations.CurrentVersion)
            {
                throw SchemaMigrations.SchemaTooNew(full, version);
            }

            connection.Command("PRAGMA journal_mode=WAL;").ExecuteScalar();
            var migratedFrom = SchemaMigrations.Migrate(connection, full);
            var protector = EncryptionKeys.Resolve(connection, full, options);
            return new SqliteDatabase(full, options, pool, protector, migratedFrom);
        }
        catch (SqliteException ex)
        {
            pool.Dispose();
            throw MapOpenError(full, ex);
        }
        catch
        {
            pool.Dispose();
            throw;
        }
    }

    internal ConnectionPool.Lease Rent() => _pool.Rent();

    internal PooledConnection OpenDedicated() => _pool.OpenNew();

    /// <summary>An <see cref="AegisErrors.StoreFailed"/> error for a failed operation; SQLite messages name tables and columns, never values.</summary>
    internal AegisException Failed(string operation, Exception ex) => ex as AegisException ?? new AegisException(
        AegisErrors.StoreFailed,
        ex is SqliteException sqlite
            ? $"{Path}: {operation} failed: SQLite error {sqlite.SqliteErrorCode} ({sqlite.Message})"
            : $"{Path}: {operation} failed: {ex.Message}",
        ex);

    /// <summary>Writes the queued run writes and audit appends, then closes the connections.</summary>
    public void Dispose()
    {
        Writer.Stop();
        _pool.Dispose();
    }

    private static void CheckFile(string full)
    {
        var directory = System.IO.Path.GetDirectoryName(full) ?? full;
        if (!Directory.Exists(directory))
        {
            throw new AegisException(AegisErrors.StoreDirectoryMissing, $"{full}: the directory {directory} does not exist; create it or choose another database path");
        }

        if (Directory.Exists(full))
        {
            throw new AegisException(AegisErrors.StoreNotADatabase, $"{full}: is a directory, not a database file; point the store at an Aegis database or a new file path");
        }

        if (File.Exists(full))
        {
            Span<byte> header = stackalloc byte[16];
            int read;
            try
            {
                using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new AegisException(AegisErrors.StoreReadOnly, $"{full}: the file cannot be read; fix its permissions or choose another database path", ex);
            }

            if (read > 0 && (read < header.Length || !header.SequenceEqual(SqliteHeader)))
            {
                throw new AegisException(AegisErrors.StoreNotADatabase, $"{full}: the file is not a SQLite database; point the store at an Aegis database or a new file path");
            }

            if (!OperatingSystem.IsWindows() && !HasWriteBit(File.GetUnixFileMode(full)))
            {
                throw new AegisException(AegisErrors.StoreReadOnly, $"{full}: the file is read-only (mode {Convert.ToString((int)File.GetUnixFileMode(full), 8)}); make it writable (chmod u+w) or choose another database path");
            }

            if (OperatingSystem.IsWindows() && File.GetAttributes(full).HasFlag(FileAttributes.ReadOnly))
            {
                throw new AegisException(AegisErrors.StoreReadOnly, $"{full}: the file is read-only; clear the read-only attribute or choose another database path");
            }
        }

        if (!OperatingSystem.IsWindows() && !HasWriteBit(File.GetUnixFileMode(directory)))
        {
            throw new AegisException(AegisErrors.StoreReadOnly, $"{full}: the directory {directory} is read-only (SQLite writes its -wal and -shm files beside the database); make it writable or choose another database path");
        }
    }

    private static bool HasWriteBit(UnixFileMode mode) =>
        (mode & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;

    private static AegisException MapOpenError(string full, SqliteException ex) => ex.SqliteErrorCode switch
    {
        26 => new AegisException(AegisErrors.StoreNotADatabase, $"{full}: the file is not a SQLite database; point the store at an Aegis database or a new file path", ex),
        3 or 8 or 14 or 23 => new AegisException(AegisErrors.StoreReadOnly, $"{full}: the database cannot be written (SQLite error {ex.SqliteErrorCode}); fix the permissions of the file and its directory or choose another database path", ex),
        _ => new AegisException(AegisErrors.StoreFailed, $"{full}: opening the database failed: SQLite error {ex.SqliteErrorCode} ({ex.Message})", ex),
    };
}
