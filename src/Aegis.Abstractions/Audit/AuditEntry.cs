namespace Aegis;

/// <summary>
/// One decision to append to the audit ledger: either a guardrail verdict (<see cref="Stage"/>,
/// <see cref="Node"/>, <see cref="Verdict"/>) or a run status change (<see cref="Status"/>).
/// Never put a sensitive value in <see cref="Reason"/>.
/// </summary>
public sealed record AuditEntry
{
    /// <summary>When the decision was taken.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The run.</summary>
    public required string RunId { get; init; }

    /// <summary>The caller's principal id.</summary>
    public required string PrincipalId { get; init; }

    /// <summary>The route.</summary>
    public required string Route { get; init; }

    /// <summary>The stage of a verdict event.</summary>
    public GuardStage? Stage { get; init; }

    /// <summary>The guard (node) that decided, or <c>engine</c>/<c>approval</c> for lifecycle events.</summary>
    public string? Node { get; init; }

    /// <summary>The verdict of a verdict event.</summary>
    public VerdictKind? Verdict { get; init; }

    /// <summary>The run status after a status event.</summary>
    public RunStatus? Status { get; init; }

    /// <summary>Why; never contains a sensitive value.</summary>
    public string? Reason { get; init; }

    /// <summary>The <c>AEG-…</c> code, if any.</summary>
    public string? Code { get; init; }
}
