namespace Aegis;

/// <summary>Options of the SQLite store (<see cref="SqliteDatabase"/>).</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>
    /// The 256-bit key that encrypts paused runs' mask maps, as base64 (an already resolved secret,
    /// e.g. the value behind <c>persistence.encryption_key: secret://env/AEGIS_DB_KEY</c>).
    /// When <see langword="null"/>, a key file <c>&lt;database&gt;.key</c> beside the database is used,
    /// created with owner-only permissions on first use.
    /// </summary>
    public string? EncryptionKey { get; set; }

    /// <summary>
    /// How long a writer waits for another connection or process that holds the write lock before
    /// the operation fails (SQLite <c>busy_timeout</c>). Default 5 seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The largest batch of the database's group-commit writer: audit entries, a run write counting
    /// one, written in one transaction (whole calls only). Default 4096.
    /// </summary>
    public int AuditBatchSize { get; set; } = 4096;

    /// <summary>
    /// Whether a write may commit on its caller's thread when the database is idle: nothing queued or
    /// being written, and the last commit held a single write. The caller then skips the hand-off to the
    /// writer's thread and back (two thread wake-ups) and blocks for the commit and its fsync instead; the
    /// write is as durable as on the writer's thread when the call returns. Such a caller does not wait to
    /// open its transaction while another connection or process holds the write lock (its write then goes
    /// to the writer's thread, which waits up to <see cref="BusyTimeout"/>), and concurrent
    /// writes are group-committed on the writer's thread as before. Set <see langword="false"/> where a
    /// caller's thread must never block on the disk. Default <see langword="true"/>.
    /// </summary>
    public bool CommitOnCallerWhenIdle { get; set; } = true;

    /// <summary>How many idle connections the store keeps open for reuse. Default 8.</summary>
    public int MaxIdleConnections { get; set; } = 8;
}
