using Microsoft.Data.Sqlite;

namespace Aegis.Storage.Sqlite.Connections;

/// <summary>
/// An open connection with its prepared commands, cached by SQL text so that a hot statement (a key
/// lookup, an audit insert) is prepared once per connection rather than once per call.
/// Used by one caller at a time (rented from <see cref="ConnectionPool"/>).
/// </summary>
internal sealed class PooledConnection : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PreparedStatement> _statements = new(StringComparer.Ordinal);

    public PooledConnection(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    /// <summary>Returns the cached command for <paramref name="sql"/>, with no parameters and bound to <paramref name="transaction"/>.</summary>
    public SqliteCommand Command(string sql, SqliteTransaction? transaction = null)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }

        command.Parameters.Clear();
        command.Transaction = transaction;
        return command;
    }

    /// <summary>
    /// Returns the native statement for <paramref name="sql"/>, prepared on first use and kept for the
    /// life of the connection (bind every parameter before each execution). It does not take part in
    /// Microsoft.Data.Sqlite's transaction tracking: run it only where no <see cref="SqliteTransaction"/>
    /// is open on the connection, or inside a transaction begun with a native statement.
    /// </summary>
    public PreparedStatement Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            statement = new PreparedStatement(Connection.Handle ?? throw new InvalidOperationException("the connection is not open"), sql);
            _statements[sql] = statement;
        }

        return statement;
    }

    /// <summary>Begins a write transaction that takes the database's write lock at once (<c>BEGIN IMMEDIATE</c>).</summary>
    public SqliteTransaction BeginWrite() => Connection.BeginTransaction(deferred: false);

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }

        _statements.Clear();
        Connection.Dispose();
    }
}
