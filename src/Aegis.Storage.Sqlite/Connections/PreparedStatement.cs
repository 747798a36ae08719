using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Aegis.Storage.Sqlite.Connections;

/// <summary>
/// One statement prepared once on a connection's native handle (SQLitePCLRaw, under
/// Microsoft.Data.Sqlite) and re-executed with values bound by index: no parameter objects, no
/// name lookups, no per-execution UTF-8 arrays (strings are encoded into a stack or pooled buffer
/// that SQLite copies). For the hot statements: the run and audit inserts, the key lookup.
/// Used by one thread at a time, like its <see cref="PooledConnection"/>.
/// </summary>
internal sealed class PreparedStatement : IDisposable
{
    private const int StackEncodeLimit = 512;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public PreparedStatement(sqlite3 db, string sql)
    {
        _db = db;
        var rc = raw.sqlite3_prepare_v3(db, sql, raw.SQLITE_PREPARE_PERSISTENT, out var statement);
        if (rc != raw.SQLITE_OK || statement is null)
        {
            statement?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, db);
            throw new InvalidOperationException("SQLite prepared no statement");
        }

        _statement = statement;
    }

    public void BindInt64(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void BindNull(int index) => Check(raw.sqlite3_bind_null(_statement, index));

    /// <summary>Binds <paramref name="value"/> as UTF-8 text, or NULL.</summary>
    public void BindText(int index, string? value)
    {
        if (value is null)
        {
            BindNull(index);
            return;
        }

        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max <= StackEncodeLimit)
        {
            Span<byte> buffer = stackalloc byte[max];
            var written = Encoding.UTF8.GetBytes(value, buffer);
            Check(raw.sqlite3_bind_text(_statement, index, buffer[..written]));
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var written = Encoding.UTF8.GetBytes(value, rented);
            Check(raw.sqlite3_bind_text(_statement, index, rented.AsSpan(0, written)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Binds already UTF-8 encoded text (SQLite copies it).</summary>
    public void BindUtf8(int index, ReadOnlySpan<byte> utf8) => Check(raw.sqlite3_bind_text(_statement, index, utf8));

    /// <summary>Binds a BLOB, or NULL.</summary>
    public void BindBlob(int index, byte[]? value)
    {
        if (value is null)
        {
            BindNull(index);
        }
        else
        {
            Check(raw.sqlite3_bind_blob(_statement, index, value));
        }
    }

    /// <summary>Runs a statement that returns no rows, resets it and returns how many rows it changed.</summary>
    public int Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc is not raw.SQLITE_DONE and not raw.SQLITE_ROW)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }

        return raw.sqlite3_changes(_db);
    }

    /// <summary>Steps a query: <see langword="true"/> when a row is available. Call <see cref="Reset"/> when done reading.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }

        return false;
    }

    /// <summary>Ends the current execution (releases the read snapshot of a query).</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    public long GetInt64(int column) => raw.sqlite3_column_int64(_statement, column);

    public string GetString(int column) => Encoding.UTF8.GetString(raw.sqlite3_column_blob(_statement, column));

    public string? GetStringOrNull(int column) => IsNull(column) ? null : GetString(column);

    /// <summary>The column's UTF-8 bytes, valid until the next step or reset.</summary>
    public ReadOnlySpan<byte> GetUtf8(int column) => raw.sqlite3_column_blob(_statement, column);

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
