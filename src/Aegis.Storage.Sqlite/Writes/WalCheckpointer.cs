using Aegis.Storage.Sqlite.Connections;
using SQLitePCL;

namespace Aegis.Storage.Sqlite.Writes;

/// <summary>
/// Checkpoints the WAL off the commit path. SQLite's automatic checkpoint runs inside whichever COMMIT
/// takes the WAL past 1000 pages, so the callers of that batch wait for the copy of a thousand pages
/// into the database file and its fsyncs. The <see cref="GroupCommitWriter"/> turns that off on its
/// connection and calls <see cref="Request"/> every <see cref="PagesPerCheckpoint"/> pages it commits;
/// this thread then runs a <c>PASSIVE</c> checkpoint on a connection of its own, which takes no lock
/// that readers or the writer wait for.
/// <para>
/// SQLite restarts the WAL from its beginning only when a write transaction starts with every frame
/// copied, which a concurrent checkpoint never achieves while the writer keeps committing (the WAL
/// would grow without bound). So once the bulk is copied here, <see cref="TakeTailDue"/> tells the
/// writer to copy the few frames committed meanwhile itself, between two batches (after completing
/// its callers), with a <c>RESTART</c> checkpoint that waits a few milliseconds at most for readers
/// still on WAL frames: its next transaction then writes the WAL from the beginning, which stays
/// about <see cref="PagesPerCheckpoint"/> pages long. Failures (another process checkpointing, a busy
/// file) are left for the next request.
/// </para>
/// </summary>
internal sealed class WalCheckpointer
{
    /// <summary>Pages committed between two checkpoints: SQLite's own auto-checkpoint threshold.</summary>
    public const int PagesPerCheckpoint = 1000;

    private readonly Func<PooledConnection> _open;
    private readonly object _gate = new();
    private Thread? _thread;
    private bool _requested;
    private bool _stopping;
    private int _tailDue;

    public WalCheckpointer(Func<PooledConnection> open) => _open = open;

    /// <summary>How many bulk checkpoints have completed (for tests).</summary>
    public int Completed { get; private set; }

    /// <summary>Whether the checkpointer's thread is running (it starts at the first request and ends at <see cref="Stop"/>).</summary>
    public bool IsRunning => _thread?.IsAlive == true;

    /// <summary>Asks for a checkpoint; returns at once (the thread starts on the first request).</summary>
    public void Request()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _requested = true;
            if (_thread is null)
            {
                _thread = new Thread(Loop) { IsBackground = true, Name = "Aegis SQLite checkpointer" };
                _thread.Start();
            }
            else
            {
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <summary>
    /// Whether a bulk checkpoint has completed since the last call: the writer should then checkpoint
    /// the remaining frames on its own connection, so that its next transaction restarts the WAL.
    /// </summary>
    public bool TakeTailDue() => IsTailDue && Interlocked.Exchange(ref _tailDue, 0) != 0;

    /// <summary>Whether a tail checkpoint is due (see <see cref="TakeTailDue"/>), without taking it.</summary>
    public bool IsTailDue => Volatile.Read(ref _tailDue) != 0;

    /// <summary>Runs a passive checkpoint on <paramref name="connection"/>; <see langword="true"/> when it completed.</summary>
    private static bool Checkpoint(PooledConnection connection) =>
        raw.sqlite3_wal_checkpoint_v2(connection.Connection.Handle, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out _, out _) == raw.SQLITE_OK;

    /// <summary>Stops the thread (after the checkpoint in progress, if any) and closes its connection.</summary>
    public void Stop()
    {
        Thread? thread;
        lock (_gate)
        {
            _stopping = true;
            thread = _thread;
            Monitor.Pulse(_gate);
        }

        thread?.Join();
    }

    private void Loop()
    {
        PooledConnection? connection = null;
        try
        {
            while (true)
            {
                lock (_gate)
                {
                    while (!_requested && !_stopping)
                    {
                        Monitor.Wait(_gate);
                    }

                    if (_stopping)
                    {
                        return;
                    }

                    _requested = false;
                }

                try
                {
                    connection ??= _open();
                    if (Checkpoint(connection))
                    {
                        Completed++;
                        Volatile.Write(ref _tailDue, 1);
                    }
                }
#pragma warning disable CA1031 // A checkpoint that fails is retried at the next request; commits do not depend on it.
                catch (Exception)
#pragma warning restore CA1031
                {
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }
}
