using Aegis.Storage.Sqlite.Connections;
using Microsoft.Data.Sqlite;
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
/// The quiet path: when the database is idle (nothing queued or being written, the last batch held one
/// operation) and <see cref="SqliteStoreOptions.CommitOnCallerWhenIdle"/> is on, the caller's thread
/// writes its operation itself, on the same connection (whoever sets <c>_busy</c> owns it), and returns
/// it completed: no wake-up of this thread and none of the caller's continuation. Under concurrent load
/// the batches hold more than one operation and every write goes through this thread again.
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
    private readonly List<WriteOperation> _single = new(1);
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WalCheckpointer _checkpointer;
    private readonly bool _commitOnCaller;
    private List<WriteOperation> _queue = [];
    private bool _stopping;
    private bool _busy; // a thread (the writer's, or a caller's on the quiet path) owns the connection
    private bool _quiet; // the last batch held one operation and nothing was queued behind it
    private PooledConnection? _connection;
    private int _pagesSinceCheckpoint;

    public GroupCommitWriter(SqliteDatabase database, Func<PooledConnection> open, int maxWeight)
    {
        _database = database;
        _open = open;
        _maxWeight = Math.Max(1, maxWeight);
        _busyTimeoutMs = (int)Math.Clamp(database.Options.BusyTimeout.TotalMilliseconds, 0, int.MaxValue);
        _checkpointer = new WalCheckpointer(open);
        _commitOnCaller = database.Options.CommitOnCallerWhenIdle;
        _thread = new Thread(Loop) { IsBackground = true, Name = "Aegis SQLite writer" };
        _thread.Start();
    }

    /// <summary>The checkpointer the writer wakes (for tests).</summary>
    internal WalCheckpointer Checkpointer => _checkpointer;

    /// <summary>Whether the next operation would be written on its caller's thread (the database is idle; for tests).</summary>
    internal bool CommitsOnNextCaller
    {
        get
        {
            lock (_gate)
            {
                return CanCommitOnCaller();
            }
        }
    }

    /// <summary>
    /// Queues <paramref name="operation"/>, or, when the database is idle, writes it on the caller's
    /// thread (see <see cref="RunOnCaller"/>); <see langword="false"/> once the writer has been stopped.
    /// </summary>
    public bool TryEnqueue(WriteOperation operation)
    {
        bool onCaller;
        lock (_gate)
        {
            if (_stopping)
            {
                return false;
            }

            onCaller = CanCommitOnCaller();
            if (onCaller)
            {
                _busy = true;
            }
            else
            {
                _queue.Add(operation);
                if (_queue.Count == 1 && !_busy)
                {
                    Monitor.Pulse(_gate); // the queue was empty and nobody writes: the writer is waiting, or will see this before it waits
                }
            }
        }

        if (onCaller)
        {
            RunOnCaller(operation);
        }

        return true;
    }

    /// <summary>
    /// Under <see cref="_gate"/>: the option is on, nothing is queued or being written, the last batch held
    /// one operation with nothing queued behind it, and no tail checkpoint is due (the writer's thread
    /// copies it between two of its batches, so the write that follows a bulk checkpoint goes to it).
    /// </summary>
    private bool CanCommitOnCaller() =>
        _commitOnCaller && _quiet && !_busy && _queue.Count == 0 && !_stopping && _connection is not null && !_checkpointer.IsTailDue;

    /// <summary>
    /// The quiet path: nothing is queued or being written and the last batch held one operation, so
    /// the caller's thread writes its operation itself, in a batch of one, instead of waking the writer's
    /// thread and then being woken by it: two thread wake-ups, which on an idle machine cost about as
    /// much as the commit itself. The operation is complete, durably, when this returns. Operations
    /// queued meanwhile are left to the writer's thread, which is woken for them. The caller never waits
    /// for a lock: if another connection or process holds the write lock, the operation goes to the
    /// writer's queue, and the writer's thread waits for the lock instead.
    /// </summary>
    private void RunOnCaller(WriteOperation operation)
    {
        var handOff = false;
        try
        {
            if (operation.CancellationToken.IsCancellationRequested)
            {
                operation.Cancel();
            }
            else if (operation.Writes && !TryBeginWithoutWaiting())
            {
                handOff = true;
            }
            else
            {
                _single.Add(operation);
                Run(_single, begun: operation.Writes);
            }
        }
        finally
        {
            _single.Clear();
            lock (_gate)
            {
                _busy = false;
                if (handOff)
                {
                    _queue.Insert(0, operation);
                }

                if (_queue.Count > 0 || _stopping)
                {
                    _quiet = false;
                    Monitor.Pulse(_gate);
                }
            }
        }
    }

    /// <summary>Opens the batch's write transaction on the quiet path; <see langword="false"/> when the write lock is held elsewhere (no waiting).</summary>
    private bool TryBeginWithoutWaiting()
    {
        var connection = _connection!; // CanCommitOnCaller: open, and this thread owns it
        var db = connection.Connection.Handle;
        raw.sqlite3_busy_timeout(db, 0);
        try
        {
            connection.Statement(Begin).Execute();
        }
        catch (SqliteException)
        {
            return false; // busy, or a failure the writer's thread meets again and reports
        }
        finally
        {
            raw.sqlite3_busy_timeout(db, _busyTimeoutMs);
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
                    while (_busy || (_queue.Count == 0 && !_stopping))
                    {
                        Monitor.Wait(_gate);
                    }

                    if (_queue.Count == 0)
                    {
                        break; // stopping, and everything queued is written
                    }

                    (taken, _queue) = (_queue, taken);
                    _busy = true;
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

                var single = taken.Count == 1;
                taken.Clear();
                CheckpointTail();
                lock (_gate)
                {
                    _busy = false;
                    _quiet = single && _queue.Count == 0;
                }
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

    /// <summary>Writes <paramref name="batch"/> (in a transaction already open when <paramref name="begun"/>) and completes its callers.</summary>
    private void Run(List<WriteOperation> batch, bool begun = false)
    {
        var writes = false;
        foreach (var operation in batch)
        {
            writes |= operation.Writes;
        }

        if (writes)
        {
            Write(batch, begun);
        }

        foreach (var operation in batch)
        {
            operation.Complete();
        }
    }

    private void Write(List<WriteOperation> batch, bool begun)
    {
        try
        {
            var connection = _connection ??= OpenWriter();
            if (begun)
            {
                _batch.Begin(connection);
            }
            else
            {
                BeginBatch(connection);
            }

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
