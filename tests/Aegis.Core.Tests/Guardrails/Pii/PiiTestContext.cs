using Microsoft.Extensions.AI;

namespace Aegis.Core.Tests.Guardrails.Pii;

internal static class PiiTestContext
{
    public static RunState NewState() => new("run-1", "default", new Principal("tester"));

    public static GuardrailContext Of(GuardStage stage, RunState state, params ChatMessage[] messages) => new(stage, messages, state);

    public static GuardrailContext Text(GuardStage stage, RunState state, string text, ChatRole? role = null) =>
        new(stage, [new ChatMessage(role ?? (stage == GuardStage.Egress ? ChatRole.Assistant : ChatRole.User), text)], state);
}
