namespace Aegis;

/// <summary>A human decision on a paused run. Wire words: <c>approved</c>, <c>denied</c>.</summary>
public enum ApprovalDecision
{
    /// <summary>Continue the run from where it paused.</summary>
    Approved,

    /// <summary>End the run <c>blocked</c>.</summary>
    Denied,
}

/// <summary>Parses approval decisions.</summary>
public static class ApprovalDecisions
{
    /// <summary>Parses <c>approved</c> or <c>denied</c>; anything else is <c>AEG-REQ-006</c>.</summary>
    public static ApprovalDecision Parse(string? value) => value switch
    {
        "approved" => ApprovalDecision.Approved,
        "denied" => ApprovalDecision.Denied,
        _ => throw new AegisException(AegisErrors.RequestInvalidDecision, value is null ? "decision is missing" : "decision must be \"approved\" or \"denied\""),
    };

    /// <summary>The wire word of <paramref name="decision"/>.</summary>
    public static string ToWire(this ApprovalDecision decision) => decision == ApprovalDecision.Approved ? "approved" : "denied";
}
