namespace Aegis;

/// <summary>Options of a <see cref="RegexGuardrail"/>.</summary>
public sealed class RegexGuardrailOptions
{
    /// <summary>The regular expressions (.NET syntax), compiled once. At least one is required.</summary>
    public IList<string>? Patterns { get; set; }

    /// <summary>What a match does: <see cref="VerdictKind.Block"/> (default), <see cref="VerdictKind.Sanitize"/> or <see cref="VerdictKind.RequireApproval"/>.</summary>
    public VerdictKind Verdict { get; set; } = VerdictKind.Block;

    /// <summary>The reason recorded with the verdict; <see langword="null"/> records <c>matched pattern N</c> (N is the zero-based index into <see cref="Patterns"/>).</summary>
    public string? Reason { get; set; }

    /// <summary>For <see cref="VerdictKind.Sanitize"/>: the literal text that replaces each match. Default <c>[REDACTED]</c>.</summary>
    public string Replacement { get; set; } = "[REDACTED]";

    /// <summary>
    /// How long one pattern may run on one text. A pattern that times out is treated as a match (fail closed).
    /// Default 100 ms.
    /// </summary>
    public TimeSpan MatchTimeout { get; set; } = TimeSpan.FromMilliseconds(100);
}
