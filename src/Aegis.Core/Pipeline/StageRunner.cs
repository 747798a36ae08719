using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace Aegis.Pipeline;

/// <summary>Runs one stage's guards in order: sanitize results compose, block and require-approval stop the stage. Every verdict becomes an audit entry.</summary>
internal static class StageRunner
{
    public static async ValueTask<StageOutcome> RunAsync(
        GuardStage stage,
        GuardStep[] steps,
        int startIndex,
        IReadOnlyList<ChatMessage> content,
        RunState state,
        List<AuditEntry> audit,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var changed = false;
        for (var i = startIndex; i < steps.Length; i++)
        {
            var step = steps[i];
            Verdict verdict;
            using (var activity = AegisTelemetry.ActivitySource.StartActivity("aegis.guard"))
            {
                activity?.SetTag("aegis.guard", step.Name);
                activity?.SetTag("aegis.stage", stage.ToWire());
                verdict = await step.Guard.EvaluateAsync(new GuardrailContext(stage, content, state), cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"guardrail '{step.Name}' returned no verdict");
                activity?.SetTag("aegis.verdict", verdict.Kind.ToWire());
            }

            audit.Add(new AuditEntry
            {
                Timestamp = time.GetUtcNow(),
                RunId = state.RunId,
                PrincipalId = state.Principal.Id,
                Route = state.Route,
                Stage = stage,
                Node = step.Name,
                Verdict = verdict.Kind,
                Reason = verdict.Reason,
                Code = verdict.Code,
            });
            AegisTelemetry.RecordVerdict(state.Route, stage, step.Name, verdict.Kind);

            switch (verdict.Kind)
            {
                case VerdictKind.Allow:
                    break;
                case VerdictKind.Sanitize:
                    content = verdict.Content!;
                    changed = true;
                    break;
                case VerdictKind.Block:
                case VerdictKind.RequireApproval:
                    return new StageOutcome(verdict.Kind, content, i, step.Name, verdict);
                default:
                    throw new UnreachableException();
            }
        }

        return new StageOutcome(changed ? VerdictKind.Sanitize : VerdictKind.Allow, content, steps.Length, null, null);
    }
}
