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

            Record(audit, state, stage, step.Name, verdict, time);

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

    /// <summary>Every verdict, allow included, becomes an audit entry and a counter increment: the one place that writes them.</summary>
    public static void Record(List<AuditEntry> audit, RunState state, GuardStage stage, string node, Verdict verdict, TimeProvider time)
    {
        audit.Add(new AuditEntry
        {
            Timestamp = time.GetUtcNow(),
            RunId = state.RunId,
            PrincipalId = state.Principal.Id,
            Route = state.Route,
            Stage = stage,
            Node = node,
            Verdict = verdict.Kind,
            Reason = verdict.Reason,
            Code = verdict.Code,
        });
        AegisTelemetry.RecordVerdict(state.Route, stage, node, verdict.Kind);
    }
}
