using Aegis.Storage.Sqlite.Connections;
using SQLitePCL;

namespace Aegis.Storage.Sqlite.Writes;

/// <summary>
/// The single writer of a <see cref="SqliteDatabase"/> (group commit). Callers queue
/// <see cref="WriteOperation"/>s; one loop, on a thread of its own (it blocks in fsync and must not
/// hold a thread-pool thread), takes everything queued (up to a batch weight, whole operations only)
/// and runs it in one <c>BEGIN IMMEDIATE … COMMIT</c>, so that concurrent run writes and audit appends
/// share one transaction and, with <c>synchronous=FULL</c>, one fsync.
/// <para>
/// Fast path: the operations run one after another with no savepoints. If one fails (a duplicate run
/// id), the writer rolls the whole transaction back and runs the batch again with each operation in a
/// savepoint of its own, so the failing one is undone and fails only its caller while the others
/// commit. Every caller is completed after the COMMIT that holds its write (acknowledged = durable),
/// through a continuation that runs on the thread pool, never on the writer's thread; if the batch
/// itself fails (BEGIN or COMMIT), every caller in it fails.
/// </para>
/// <para>
/// The writer's connection does not checkpoint the WAL inside its COMMIT (<c>wal_autocheckpoint=0</c>);
/// after each commit it counts the pages it wrote and, every <see cref="WalCheckpointer.PagesPerCheckpoint"/>
/// pages, wakes the <see cref="WalCheckpointer"/>, which copies them on its own connection and thread;
/// the writer copies the remaining tail itself between two batches, after completing its callers.
/// </para>
/// </summary>
internal sealed class GroupCommitWriter
{
    private const string Begin = "BEGIN IMMEDIATE;";
    private const string Commit = "COMMIT;";
    private const string Rollback = "ROLLBACK;";
    private const string Savepoint = "SAVEPOINT aegis_write;";
    private const string RollbackToSavepoint = "ROLLBACK TO aegis_write;";
    private const string ReleaseSavepoint = "RELEASE aegis_write;";
    private const int TailBusyTimeoutMs = 20;
    private const int CacheWriteStatus = 9; // SQLITE_DBSTATUS_CACHE_WRITE: pages written (to the WAL) since the last reset
    private readonly SqliteDatabase _database;
    private readonly Func<PooledConnection> _open;
    private readonly int _maxWeight;
    private readonly int _busyTimeoutMs;
    private readonly object _gate = new();
    private readonly WriteBatch _batch = new();
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WalCheckpointer _checkpointer;
    private List<WriteOperation> _queue = [];
    private bool _stopping;
    private PooledConnection? _connection;
    private int _pagesSinceCheckpoint;

    public GroupCommitWriter(SqliteDatabase database, Func<PooledConnection> open, int maxWeight)
    {
        _database = database;
        _open = open;
        _maxWeight = Math.Max(1, maxWeight);
        _busyTimeoutMs = (int)Math.Clamp(database.Options.BusyTimeout.TotalMilliseconds, 0, int.MaxValue);
        _checkpointer = new WalCheckpointer(open);
        _thread = new Thread(Loop) { IsBackground = true, Name = "Aegis SQLite writer" };
        _thread.Start();
    }

    /// <summary>The checkpointer the writer wakes (for tests).</summary>
    internal WalCheckpointer Checkpointer => _checkpointer;

    /// <summary>Queues <paramref name="operation"/>; <see langword="false"/> once the writer has been stopped.</summary>
    public bool TryEnqueue(WriteOperation operation)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return false;
            }

            _queue.Add(operation);
            if (_queue.Count == 1)
            {
                Monitor.Pulse(_gate); // the queue was empty: the writer is waiting, or will see this before it waits
            }
        }

        return true;
    }

    /// <summary>
    /// Completes once every operation queued before this call has completed; at once if the writer
    /// has been stopped (it drained its queue then).
    /// </summary>
    public Task FlushAsync()
    {
        var barrier = new Barrier();
        return TryEnqueue(barrier) ? barrier.Completion : _stopped.Task;
    }

    /// <summary>Stops accepting operations, writes the queued ones, stops the checkpointer and closes the connections.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }

        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }

        _checkpointer.Stop();
    }

    private void Loop()
    {
        var taken = new List<WriteOperation>();
        var batch = new List<WriteOperation>();
        try
        {
            while (true)
            {
                lock (_gate)
                {
                    while (_queue.Count == 0 && !_stopping)
                    {
                        Monitor.Wait(_gate);
                    }

                    if (_queue.Count == 0)
                    {
                        break; // stopping, and everything queued is written
                    }

                    (taken, _queue) = (_queue, taken);
                }

                var next = 0;
                while (next < taken.Count)
                {
                    next = TakeBatch(taken, next, batch);
                    if (batch.Count > 0)
                    {
                        Run(batch);
                    }
                }

                taken.Clear();
                CheckpointTail();
            }
        }
        finally
        {
            _connection?.Dispose();
            _connection = null;
            _stopped.TrySetResult();
        }
    }

    /// <summary>Moves operations from <paramref name="taken"/> into <paramref name="batch"/> up to the batch weight; returns where it stopped.</summary>
    private int TakeBatch(List<WriteOperation> taken, int start, List<WriteOperation> batch)
    {
        batch.Clear();
        var weight = 0;
        var i = start;
        for (; i < taken.Count && weight < _maxWeight; i++)
        {
            var operation = taken[i];
            if (operation.CancellationToken.IsCancellationRequested)
            {
                operation.Cancel();
                continue;
            }

            batch.Add(operation);
            weight += operation.Weight;
        }

        return i;
    }

    private void Run(List<WriteOperation> batch)
    {
        var writes = false;
        foreach (var operation in batch)
        {
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

    private void Write(List<WriteOperation> batch)
    {
        try
        {
            var connection = _connection ??= OpenWriter();
            BeginBatch(connection);
            if (!TryWriteAll(batch))
            {
                // One operation failed: undo the whole batch and redo it with a savepoint per operation.
                RollBackIfOpen(connection);
                BeginBatch(connection);
                WriteEachInSavepoint(batch);
            }

            connection.Statement(Commit).Execute();
            CountPagesWritten(connection);
        }
        catch (Exception ex)
        {
            _connection?.Dispose(); // rolls back whatever is still open
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

    /// <summary>Opens the batch's write transaction; the audit head is read again inside it when first needed.</summary>
    private void BeginBatch(PooledConnection connection)
    {
        connection.Statement(Begin).Execute();
        _batch.Begin(connection);
    }

    private bool TryWriteAll(List<WriteOperation> batch)
    {
        foreach (var operation in batch)
        {
            if (!operation.Writes)
            {
                continue;
            }

            try
            {
                operation.Execute(_batch);
            }
#pragma warning disable CA1031 // Any failure sends the batch to the slow path, which reports it to its caller.
            catch (Exception)
#pragma warning restore CA1031
            {
                return false;
            }
        }

        return true;
    }

    private void WriteEachInSavepoint(List<WriteOperation> batch)
    {
        foreach (var operation in batch)
        {
            if (!operation.Writes)
            {
                continue;
            }

            _batch.Statement(Savepoint).Execute();
            try
            {
                operation.Execute(_batch);
            }
            catch (Exception ex)
            {
                operation.SetFailed(ex, _database);

                // Throws if SQLite already rolled the whole transaction back (disk full, I/O error):
                // then the batch fails.
                _batch.Statement(RollbackToSavepoint).Execute();
            }

            _batch.Statement(ReleaseSavepoint).Execute();
        }
    }

    private static void RollBackIfOpen(PooledConnection connection)
    {
        // SQLite may already have rolled the transaction back itself (disk full, I/O error).
        if (raw.sqlite3_get_autocommit(connection.Connection.Handle) == 0)
        {
            connection.Statement(Rollback).Execute();
        }
    }

    private PooledConnection OpenWriter()
    {
        var connection = _open();
        try
        {
            // Checkpoints run on the checkpointer's connection, not inside this connection's COMMITs.
            connection.Statement("PRAGMA wal_autocheckpoint=0;").Execute();
            raw.sqlite3_db_status(connection.Connection.Handle, CacheWriteStatus, out _, out _, 1);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// After a bulk checkpoint, copies the frames committed meanwhile with a <c>RESTART</c> checkpoint,
    /// which also waits for the readers still reading WAL frames (lookups take microseconds), so that
    /// the next transaction writes the WAL from its beginning. The wait is bounded by
    /// <see cref="TailBusyTimeoutMs"/>, not the connection's busy timeout: if a reader or another
    /// process holds on, the WAL restarts after a later checkpoint instead.
    /// </summary>
    private void CheckpointTail()
    {
        if (_connection is not { } connection || !_checkpointer.TakeTailDue())
        {
            return;
        }

        var db = connection.Connection.Handle;
        try
        {
            raw.sqlite3_busy_timeout(db, TailBusyTimeoutMs);
            raw.sqlite3_wal_checkpoint_v2(db, "main", raw.SQLITE_CHECKPOINT_RESTART, out _, out _);
        }
        finally
        {
            raw.sqlite3_busy_timeout(db, _busyTimeoutMs);
        }
    }

    private void CountPagesWritten(PooledConnection connection)
    {
        raw.sqlite3_db_status(connection.Connection.Handle, CacheWriteStatus, out var pages, out _, 1);
        _pagesSinceCheckpoint += pages;
        if (_pagesSinceCheckpoint >= WalCheckpointer.PagesPerCheckpoint)
        {
            _pagesSinceCheckpoint = 0;
            _checkpointer.Request();
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
