using Microsoft.Extensions.AI;

namespace Aegis.Pipeline;

/// <summary>How a stage ended: completed (with the possibly sanitized content), blocked or paused at a guard.</summary>
internal readonly record struct StageOutcome(VerdictKind Kind, IReadOnlyList<ChatMessage> Content, int GuardIndex, string? Node, Verdict? Verdict)
{
    public bool Continues => Kind is VerdictKind.Allow or VerdictKind.Sanitize;
}
