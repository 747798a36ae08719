using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>
/// A run as stored: identity, status, the conversation as the model saw it (masked), the answer
/// returned to the caller, usage, timestamps and, while paused, the checkpoint to continue from.
/// Immutable; status changes produce a new record (<c>with</c>) that stores swap in with a
/// compare-and-set on <see cref="Status"/>.
/// </summary>
public sealed record RunRecord
{
    /// <summary>The run id (a UUID string).</summary>
    public required string Id { get; init; }

    /// <summary>The route name.</summary>
    public required string Route { get; init; }

    /// <summary>The caller's principal id.</summary>
    public required string PrincipalId { get; init; }

    /// <summary>The caller's team, if any.</summary>
    public string? Team { get; init; }

    /// <summary>The current status.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>Principal ids allowed to resume the run; empty means any authenticated principal.</summary>
    public IReadOnlyList<string> Approvers { get; init; } = [];

    /// <summary>The conversation as the model saw it (after ingress sanitization: placeholders, not values).</summary>
    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];

    /// <summary>The answer text returned to the caller, once the run completed.</summary>
    public string? Response { get; init; }

    /// <summary>The reason the run was blocked, paused or failed.</summary>
    public string? Reason { get; init; }

    /// <summary>The <c>AEG-…</c> code of a block or an error, if any.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>Token usage over the run.</summary>
    public RunUsage Usage { get; init; }

    /// <summary>When the run was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the run last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Whether the run was started in the background.</summary>
    public bool Background { get; init; }

    /// <summary>While <see cref="RunStatus.Paused"/> (or <see cref="RunStatus.Pending"/>): what is needed to continue.</summary>
    public RunCheckpoint? Checkpoint { get; init; }
}

/// <summary>
/// Everything needed to continue a run in another process: where it stopped, the content being
/// guarded at that point, labels, the mask map (secret: stores encrypt it at rest), the provider and
/// usage so far, and the chat options (tools) of the request.
/// </summary>
public sealed record RunCheckpoint
{
    /// <summary>The stage that paused (or, for a pending run, <see cref="GuardStage.Ingress"/>).</summary>
    public required GuardStage Stage { get; init; }

    /// <summary>Index of the guard in the stage's pipeline to run next when the run continues.</summary>
    public required int NextGuardIndex { get; init; }

    /// <summary>The content being guarded at <see cref="Stage"/> (as changed by the guards before the pause).</summary>
    public IReadOnlyList<ChatMessage> Content { get; init; } = [];

    /// <summary>The conversation as the model will see it (for an egress or tool pause: what was sent).</summary>
    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];

    /// <summary>Labels at the pause.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The mask map at the pause. Secret.</summary>
    public IReadOnlyList<MaskMapEntry> MaskMap { get; init; } = [];

    /// <summary>The provider chosen before the pause, if any.</summary>
    public string? Provider { get; init; }

    /// <summary>The finish reason of the model's answer, for an egress or tool-call pause.</summary>
    public string? FinishReason { get; init; }

    /// <summary>The request's chat options (tools, temperature, ...), if any.</summary>
    public ChatOptions? Options { get; init; }

    /// <summary>The principal's team and labels, so a resumed run is evaluated as the same caller.</summary>
    public IReadOnlyDictionary<string, string> PrincipalLabels { get; init; } = new Dictionary<string, string>();
}
