using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Aegis.Storage.Sqlite.Connections;

/// <summary>
/// Keeps open connections to one database for reuse. Every connection is configured the same way
/// when opened: <c>busy_timeout</c> (writers wait for the lock instead of failing) and
/// <c>synchronous=FULL</c> (with WAL: every commit is fsynced before it returns, so an
/// acknowledged write survives a process kill and a power loss).
/// </summary>
internal sealed class ConnectionPool : IDisposable
{
    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    private readonly int _maxIdle;
    private readonly Stack<PooledConnection> _idle = new();
    private readonly Lock _lock = new();
    private bool _disposed;

    public ConnectionPool(string path, TimeSpan busyTimeout, int maxIdle)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString();
        _busyTimeoutMs = (int)Math.Clamp(busyTimeout.TotalMilliseconds, 0, int.MaxValue);
        _maxIdle = Math.Max(1, maxIdle);
    }

    /// <summary>Opens a new, configured connection that is not pooled (for start-up checks and the audit writer).</summary>
    public PooledConnection OpenNew()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout={_busyTimeoutMs}; PRAGMA synchronous=FULL;");
            command.ExecuteNonQuery();
            return new PooledConnection(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Rents a connection; dispose the lease to return it.</summary>
    public Lease Rent()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var idle))
            {
                return new Lease(this, idle);
            }
        }

        return new Lease(this, OpenNew());
    }

    private void Return(PooledConnection connection)
    {
        lock (_lock)
        {
            if (!_disposed && _idle.Count < _maxIdle)
            {
                _idle.Push(connection);
                return;
            }
        }

        connection.Dispose();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            while (_idle.TryPop(out var connection))
            {
                connection.Dispose();
            }
        }
    }

    /// <summary>A rented connection; returns it to the pool when disposed.</summary>
    internal readonly struct Lease : IDisposable
    {
        private readonly ConnectionPool _pool;

        public Lease(ConnectionPool pool, PooledConnection connection)
        {
            _pool = pool;
            Connection = connection;
        }

        public PooledConnection Connection { get; }

        public SqliteCommand Command(string sql, SqliteTransaction? transaction = null) => Connection.Command(sql, transaction);

        public SqliteTransaction BeginWrite() => Connection.BeginWrite();

        public void Dispose() => _pool.Return(Connection);
    }
}
