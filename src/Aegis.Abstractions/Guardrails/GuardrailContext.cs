using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>
/// What a guardrail scans: the content at one stage of one run. At <see cref="GuardStage.Ingress"/> the
/// content is the conversation; at <see cref="GuardStage.Egress"/> the model's answer; at
/// <see cref="GuardStage.ToolCall"/> the assistant message carrying <see cref="FunctionCallContent"/>;
/// at <see cref="GuardStage.ToolResult"/> the tool messages or retrieved documents.
/// </summary>
public sealed class GuardrailContext
{
    /// <summary>Creates a context.</summary>
    public GuardrailContext(GuardStage stage, IReadOnlyList<ChatMessage> content, RunState state)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(state);
        Stage = stage;
        Content = content;
        State = state;
    }

    /// <summary>The stage being guarded.</summary>
    public GuardStage Stage { get; }

    /// <summary>The content to scan (already changed by earlier <c>sanitize</c> verdicts of this stage).</summary>
    public IReadOnlyList<ChatMessage> Content { get; }

    /// <summary>The run's state: principal, route, labels and mask map.</summary>
    public RunState State { get; }

    /// <summary>The caller.</summary>
    public Principal Principal => State.Principal;
}
