namespace Aegis;

/// <summary>The four outcomes a guardrail can return. Wire names: <c>allow</c>, <c>sanitize</c>, <c>block</c>, <c>require_approval</c>.</summary>
public enum VerdictKind
{
    /// <summary>Continue unchanged.</summary>
    Allow,

    /// <summary>Continue with changed content (masked, redacted, restored).</summary>
    Sanitize,

    /// <summary>Stop: the stage and the run end <c>blocked</c>.</summary>
    Block,

    /// <summary>Pause: the run is checkpointed and waits for a human decision.</summary>
    RequireApproval,
}

/// <summary>Converts <see cref="VerdictKind"/> to and from its wire strings.</summary>
public static class VerdictKindNames
{
    /// <summary>The wire string of <paramref name="kind"/>.</summary>
    public static string ToWire(this VerdictKind kind) => kind switch
    {
        VerdictKind.Allow => "allow",
        VerdictKind.Sanitize => "sanitize",
        VerdictKind.Block => "block",
        VerdictKind.RequireApproval => "require_approval",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Parses a wire string; returns <see langword="false"/> for anything else.</summary>
    public static bool TryParse(string? value, out VerdictKind kind)
    {
        switch (value)
        {
            case "allow": kind = VerdictKind.Allow; return true;
            case "sanitize": kind = VerdictKind.Sanitize; return true;
            case "block": kind = VerdictKind.Block; return true;
            case "require_approval": kind = VerdictKind.RequireApproval; return true;
            default: kind = default; return false;
        }
    }
}
