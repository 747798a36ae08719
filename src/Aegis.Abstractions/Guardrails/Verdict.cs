using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>
/// A guardrail's decision: exactly one of allow, sanitize (with the replacement content), block or
/// require approval. Verdicts are immutable values; <see cref="Allow"/> is a shared instance.
/// </summary>
public sealed class Verdict
{
    private Verdict(VerdictKind kind, string? reason, string? code, IReadOnlyList<ChatMessage>? content)
    {
        Kind = kind;
        Reason = reason;
        Code = code;
        Content = content;
    }

    /// <summary>The shared "continue unchanged" verdict.</summary>
    public static Verdict Allow { get; } = new(VerdictKind.Allow, null, null, null);

    /// <summary>Which of the four outcomes this is.</summary>
    public VerdictKind Kind { get; }

    /// <summary>Why (for the audit and the caller). Never contains a detected sensitive value.</summary>
    public string? Reason { get; }

    /// <summary>The <c>AEG-…</c> code attached to a block, if any.</summary>
    public string? Code { get; }

    /// <summary>For <see cref="VerdictKind.Sanitize"/>: the content to continue with, replacing what was scanned.</summary>
    public IReadOnlyList<ChatMessage>? Content { get; }

    /// <summary>Continue with <paramref name="content"/> instead of the scanned content.</summary>
    public static Verdict Sanitize(IReadOnlyList<ChatMessage> content, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new(VerdictKind.Sanitize, reason, null, content);
    }

    /// <summary>End the run <c>blocked</c>.</summary>
    /// <param name="reason">Why, without any sensitive value.</param>
    /// <param name="code">An optional <c>AEG-…</c> code (for example <c>AEG-MCP-004</c>).</param>
    public static Verdict Block(string reason, string? code = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(VerdictKind.Block, reason, code, null);
    }

    /// <summary>Pause the run for a human decision.</summary>
    public static Verdict RequireApproval(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(VerdictKind.RequireApproval, reason, null, null);
    }

    /// <inheritdoc />
    public override string ToString() => Reason is null ? Kind.ToWire() : $"{Kind.ToWire()}: {Reason}";
}
