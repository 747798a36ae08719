using Aegis.Storage.Sqlite.Connections;
using Microsoft.Data.Sqlite;

namespace Aegis.Storage.Sqlite.Writes;

/// <summary>
/// The transaction a <see cref="GroupCommitWriter"/> batch runs in, handed to each
/// <see cref="WriteOperation"/>, with state shared by the operations of one batch (the audit chain head).
/// </summary>
internal sealed class WriteBatch
{
    private PooledConnection? _connection;
    private SqliteTransaction? _transaction;
    private bool _headRead;
    private long _nextSequence;
    private string _previousHash = AuditChain.GenesisHash;

    /// <summary>Starts a batch on <paramref name="connection"/> in <paramref name="transaction"/> (a <c>BEGIN IMMEDIATE</c>).</summary>
    public void Begin(PooledConnection connection, SqliteTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
        _headRead = false;
        _nextSequence = 1;
        _previousHash = AuditChain.GenesisHash;
    }

    /// <summary>Ends the batch (after COMMIT or a failure).</summary>
    public void End()
    {
        _connection = null;
        _transaction = null;
    }

    /// <summary>The cached command for <paramref name="sql"/>, bound to the batch's transaction, with no parameters.</summary>
    public SqliteCommand Command(string sql) =>
        (_connection ?? throw new InvalidOperationException("no write batch is open")).Command(sql, _transaction);

    /// <summary>
    /// The sequence number and hash the next audit event links to. Read from the table once per batch,
    /// inside the batch's write transaction, so that processes sharing the file extend one chain.
    /// </summary>
    public (long NextSequence, string PreviousHash) AuditHead()
    {
        if (!_headRead)
        {
            using var head = Command("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1;").ExecuteReader();
            if (head.Read())
            {
                _nextSequence = head.GetInt64(0) + 1;
                _previousHash = head.GetString(1);
            }

            _headRead = true;
        }

        return (_nextSequence, _previousHash);
    }

    /// <summary>Moves the audit head past the events an operation appended (only once it has succeeded).</summary>
    public void AdvanceAuditHead(long nextSequence, string previousHash)
    {
        _nextSequence = nextSequence;
        _previousHash = previousHash;
    }
}
