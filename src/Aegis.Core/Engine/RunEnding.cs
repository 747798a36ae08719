namespace Aegis.Engine;

/// <summary>Where an execution segment of a run ends: the status it reaches and what goes with it.</summary>
/// <param name="Status">The status the run reaches (completed, blocked, paused, error, or pending for a background run).</param>
/// <param name="Reason">Why, for a run that did not complete.</param>
/// <param name="Code">The error code of a blocked, paused or failed run.</param>
internal readonly record struct RunEnding(RunStatus Status, string? Reason, string? Code)
{
    /// <summary>What a paused or pending run needs to continue; <see langword="null"/> otherwise.</summary>
    public RunCheckpoint? Checkpoint { get; init; }

    /// <summary>The answer's text, for a completed run.</summary>
    public string? Response { get; init; }
}
