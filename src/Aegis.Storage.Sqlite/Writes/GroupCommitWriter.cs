using System.Threading.Channels;
using Aegis.Storage.Sqlite.Connections;

namespace Aegis.Storage.Sqlite.Writes;

/// <summary>
/// The single writer of a <see cref="SqliteDatabase"/> (group commit). Callers queue
/// <see cref="WriteOperation"/>s; one loop drains the queue and runs everything queued (up to a
/// batch weight, whole operations only) in one <c>BEGIN IMMEDIATE … COMMIT</c>, so that concurrent
/// run writes and audit appends share one transaction and, with <c>synchronous=FULL</c>, one fsync.
/// Each operation runs in a savepoint of its own: one that fails (a duplicate run id) is rolled back
/// and fails only its caller. Every caller is completed after the COMMIT that holds its write, so
/// an acknowledged write is durable; if the batch itself fails (BEGIN or COMMIT), every caller in it
/// fails.
/// </summary>
internal sealed class GroupCommitWriter
{
    private const string Savepoint = "SAVEPOINT aegis_write;";
    private const string RollbackToSavepoint = "ROLLBACK TO aegis_write;";
    private const string ReleaseSavepoint = "RELEASE aegis_write;";
    private readonly SqliteDatabase _database;
    private readonly Func<PooledConnection> _open;
    private readonly int _maxWeight;
    private readonly Channel<WriteOperation> _queue = Channel.CreateUnbounded<WriteOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly WriteBatch _batch = new();
    private readonly Task _loop;
    private PooledConnection? _connection;

    public GroupCommitWriter(SqliteDatabase database, Func<PooledConnection> open, int maxWeight)
    {
        _database = database;
        _open = open;
        _maxWeight = Math.Max(1, maxWeight);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Queues <paramref name="operation"/>; <see langword="false"/> once the writer has been stopped.</summary>
    public bool TryEnqueue(WriteOperation operation) => _queue.Writer.TryWrite(operation);

    /// <summary>
    /// Completes once every operation queued before this call has completed; at once if the writer
    /// has been stopped (it drained its queue then).
    /// </summary>
    public Task FlushAsync()
    {
        var barrier = new Barrier();
        return TryEnqueue(barrier) ? barrier.Completion : _loop;
    }

    /// <summary>Stops accepting operations, writes the queued ones and closes the writer's connection.</summary>
    public void Stop()
    {
        _queue.Writer.TryComplete();
        _loop.GetAwaiter().GetResult();
        _connection?.Dispose();
        _connection = null;
    }

    private async Task LoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<WriteOperation>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var weight = 0;
            var writes = false;
            while (weight < _maxWeight && reader.TryRead(out var operation))
            {
                if (operation.CancellationToken.IsCancellationRequested)
                {
                    operation.Cancel();
                    continue;
                }

                batch.Add(operation);
                weight += operation.Weight;
                writes |= operation.Writes;
            }

            if (writes)
            {
                Write(batch);
            }

            foreach (var operation in batch)
            {
                operation.Complete();
            }
        }
    }

    private void Write(List<WriteOperation> batch)
    {
        try
        {
            var connection = _connection ??= _open();
            using var transaction = connection.BeginWrite();
            _batch.Begin(connection, transaction);
            foreach (var operation in batch)
            {
                if (!operation.Writes)
                {
                    continue;
                }

                _batch.Command(Savepoint).ExecuteNonQuery();
                try
                {
                    operation.Execute(_batch);
                }
                catch (Exception ex)
                {
                    operation.SetFailed(ex, _database);

                    // Throws if SQLite already rolled the whole transaction back (disk full, I/O error):
                    // then the batch fails below.
                    _batch.Command(RollbackToSavepoint).ExecuteNonQuery();
                }

                _batch.Command(ReleaseSavepoint).ExecuteNonQuery();
            }

            transaction.Commit();
        }
        catch (Exception ex)
        {
            _connection?.Dispose();
            _connection = null;
            foreach (var operation in batch)
            {
                if (!operation.HasFailed)
                {
                    operation.SetFailed(ex, _database);
                }
            }
        }
        finally
        {
            _batch.End();
        }
    }

    /// <summary>Writes nothing; completes after everything queued before it.</summary>
    private sealed class Barrier() : WriteOperation<bool>(CancellationToken.None)
    {
        public override bool Writes => false;

        public override int Weight => 0;

        public override string Description => "flushing the write queue";

        protected override bool Run(WriteBatch batch) => true;
    }
}
