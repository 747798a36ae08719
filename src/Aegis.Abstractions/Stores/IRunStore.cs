namespace Aegis;

/// <summary>
/// Stores runs and their checkpoints. Implementations must be safe under concurrent use and never
/// lose an acknowledged write; <see cref="TryUpdateAsync"/> is a compare-and-set on the stored status
/// that holds across every process sharing the store (this is what makes resume exactly-once).
/// </summary>
public interface IRunStore
{
    /// <summary>Stores a new run. Throws <see cref="AegisException"/> if the id exists.</summary>
    ValueTask CreateAsync(RunRecord run, CancellationToken cancellationToken = default);

    /// <summary>Reads a run, or <see langword="null"/>.</summary>
    ValueTask<RunRecord?> GetAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the stored run with <paramref name="run"/> (same id) only if the stored status is
    /// <paramref name="expectedStatus"/>. Returns <see langword="false"/> when the run is missing or its
    /// status differs: exactly one of several concurrent callers with the same expectation wins.
    /// </summary>
    ValueTask<bool> TryUpdateAsync(RunRecord run, RunStatus expectedStatus, CancellationToken cancellationToken = default);

    /// <summary>Lists runs, newest first, filtered and paged.</summary>
    ValueTask<RunPage> ListAsync(RunQuery query, CancellationToken cancellationToken = default);
}

/// <summary>Filters for <see cref="IRunStore.ListAsync"/>; set filters AND together.</summary>
public sealed record RunQuery
{
    /// <summary>Only runs of this principal id.</summary>
    public string? PrincipalId { get; init; }

    /// <summary>Only runs of this route.</summary>
    public string? Route { get; init; }

    /// <summary>Only runs created at or after this instant.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only runs in this status.</summary>
    public RunStatus? Status { get; init; }

    /// <summary>Page size (1-1000).</summary>
    public int Limit { get; init; } = 100;

    /// <summary>The <see cref="RunPage.NextCursor"/> of the previous page, or <see langword="null"/> for the first.</summary>
    public string? Cursor { get; init; }
}

/// <summary>One page of runs.</summary>
/// <param name="Runs">The runs, newest first.</param>
/// <param name="NextCursor">Pass as <see cref="RunQuery.Cursor"/> for the next page; <see langword="null"/> on the last page.</param>
public sealed record RunPage(IReadOnlyList<RunRecord> Runs, string? NextCursor);
