using Aegis.Storage.Sqlite.Audit;
using Aegis.Storage.Sqlite.Connections;

namespace Aegis.Storage.Sqlite.Writes;

/// <summary>
/// The transaction a <see cref="GroupCommitWriter"/> batch runs in, handed to each
/// <see cref="WriteOperation"/>, with state shared by the operations of one batch (the audit chain head).
/// </summary>
internal sealed class WriteBatch
{
    private PooledConnection? _connection;
    private bool _headRead;
    private long _nextSequence;
    private string _previousHash = AuditChain.GenesisHash;
    private long _timestampHigh = AuditSegments.NoTimestamp;

    /// <summary>
    /// Starts a batch on <paramref name="connection"/>, inside its <c>BEGIN IMMEDIATE</c>; also when the
    /// writer redoes a rolled-back batch, so the audit head is read again.
    /// </summary>
    public void Begin(PooledConnection connection)
    {
        _connection = connection;
        _headRead = false;
        _nextSequence = 1;
        _previousHash = AuditChain.GenesisHash;
        _timestampHigh = AuditSegments.NoTimestamp;
    }

    /// <summary>Ends the batch (after COMMIT or a failure).</summary>
    public void End() => _connection = null;

    /// <summary>The prepared native statement for <paramref name="sql"/> on the batch's connection (inside its transaction).</summary>
    public PreparedStatement Statement(string sql) =>
        (_connection ?? throw new InvalidOperationException("no write batch is open")).Statement(sql);

    /// <summary>
    /// The sequence number and hash the next audit event links to, and the <c>ts_high</c> its segment continues
    /// from. Read from the table once per batch, inside the batch's write transaction, so that processes sharing
    /// the file extend one chain.
    /// </summary>
    public (long NextSequence, string PreviousHash, long TimestampHigh) AuditHead()
    {
        if (!_headRead)
        {
            var head = Statement(AuditSegments.Head);
            if (head.Step())
            {
                try
                {
                    _nextSequence = head.GetInt64(0) + 1;
                    _previousHash = head.GetString(1);

                    // Never missing once the file is at schema 5; if it were, the highest value keeps every later
                    // segment findable by time (a query then reads from here on rather than skip an event).
                    _timestampHigh = head.IsNull(2) ? long.MaxValue : head.GetInt64(2);
                }
                finally
                {
                    head.Reset();
                }
            }

            _headRead = true;
        }

        return (_nextSequence, _previousHash, _timestampHigh);
    }

    /// <summary>Moves the audit head past the events an operation appended (only once it has succeeded).</summary>
    public void AdvanceAuditHead(long nextSequence, string previousHash, long timestampHigh)
    {
        _nextSequence = nextSequence;
        _previousHash = previousHash;
        _timestampHigh = timestampHigh;
    }
}
