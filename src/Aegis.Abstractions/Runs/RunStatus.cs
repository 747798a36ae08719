namespace Aegis;

/// <summary>The status of a run. The wire form is the lower-case name (see <see cref="RunStatusNames"/>).</summary>
public enum RunStatus
{
    /// <summary>Accepted and stored; a background worker has not picked it up yet.</summary>
    Pending,

    /// <summary>The pipeline is executing.</summary>
    Running,

    /// <summary>Finished; a response was returned.</summary>
    Completed,

    /// <summary>Waiting for a human decision (see <c>POST /v1/runs/{id}/resume</c>).</summary>
    Paused,

    /// <summary>Ended by a guardrail's <c>block</c> verdict or by a denied approval.</summary>
    Blocked,

    /// <summary>Ended by a failure (upstream error, store failure, ...).</summary>
    Error,
}

/// <summary>Converts <see cref="RunStatus"/> to and from its exact wire strings.</summary>
public static class RunStatusNames
{
    /// <summary>The wire string of <paramref name="status"/>: <c>pending</c>, <c>running</c>, <c>completed</c>, <c>paused</c>, <c>blocked</c> or <c>error</c>.</summary>
    public static string ToWire(this RunStatus status) => status switch
    {
        RunStatus.Pending => "pending",
        RunStatus.Running => "running",
        RunStatus.Completed => "completed",
        RunStatus.Paused => "paused",
        RunStatus.Blocked => "blocked",
        RunStatus.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>Parses an exact wire string; returns <see langword="false"/> for anything else.</summary>
    public static bool TryParse(string? value, out RunStatus status)
    {
        switch (value)
        {
            case "pending": status = RunStatus.Pending; return true;
            case "running": status = RunStatus.Running; return true;
            case "completed": status = RunStatus.Completed; return true;
            case "paused": status = RunStatus.Paused; return true;
            case "blocked": status = RunStatus.Blocked; return true;
            case "error": status = RunStatus.Error; return true;
            default: status = default; return false;
        }
    }

    /// <summary>Whether the status is terminal (<c>completed</c>, <c>blocked</c> or <c>error</c>).</summary>
    public static bool IsTerminal(this RunStatus status) =>
        status is RunStatus.Completed or RunStatus.Blocked or RunStatus.Error;
}
