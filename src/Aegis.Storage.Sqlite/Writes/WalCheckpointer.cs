using Aegis.Storage.Sqlite.Connections;
using SQLitePCL;

namespace Aegis.Storage.Sqlite.Writes;

/// <summary>
/// Checkpoints the WAL off the commit path. SQLite's automatic checkpoint runs inside whichever COMMIT
/// takes the WAL past 1000 pages, so one caller in a thousand pages' worth waits for the copy into the
/// database file and its fsyncs. The <see cref="GroupCommitWriter"/> turns that off on its connection
/// and calls <see cref="Request"/> every <see cref="PagesPerCheckpoint"/> pages it commits; this thread
/// then runs a <c>PASSIVE</c> checkpoint on a connection of its own. A passive checkpoint takes no lock
/// that readers or the writer wait for: it copies what no reader still needs, and the writer restarts
/// the WAL from its beginning once everything has been copied, which keeps the file bounded.
/// Failures (another process checkpointing, a busy file) are left for the next request.
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

    public WalCheckpointer(Func<PooledConnection> open) => _open = open;

    /// <summary>How many checkpoints have run (for tests).</summary>
    public int Completed { get; private set; }

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
                    var rc = raw.sqlite3_wal_checkpoint_v2(connection.Connection.Handle, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out _, out _);
                    if (rc == raw.SQLITE_OK)
                    {
                        Completed++;
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
