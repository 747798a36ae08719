namespace Aegis.Benchmarking;

/// <summary>The audit entries the engine writes for a run, as the benchmarks and the load test's naive proxy write them.</summary>
internal static class BenchmarkAudit
{
    /// <summary>A status event of <paramref name="run"/>, as <c>RunContext.AddStatusEvent</c> records it.</summary>
    public static AuditEntry Status(RunRecord run, RunStatus status) => new()
    {
        Timestamp = run.UpdatedAt,
        RunId = run.Id,
        PrincipalId = run.PrincipalId,
        Route = run.Route,
        Node = "engine",
        Status = status,
    };

    /// <summary>
    /// The five events of a governed run that completes, as the load test's governed route writes them: running, the
    /// ingress <c>pii</c> (masking the prompt's e-mail address and phone number) and <c>injection</c> verdicts, the
    /// egress <c>pii</c> verdict, completed.
    /// </summary>
    public static AuditEntry[] GovernedRun(RunRecord run) =>
    [
        Status(run, RunStatus.Running),
        Verdict(run, GuardStage.Ingress, "pii", VerdictKind.Sanitize, "masked 1 EMAIL_ADDRESS, 1 PHONE_NUMBER"),
        Verdict(run, GuardStage.Ingress, "injection", VerdictKind.Allow, null),
        Verdict(run, GuardStage.Egress, "pii", VerdictKind.Allow, null),
        Status(run, RunStatus.Completed),
    ];

    /// <summary>A guard's verdict on <paramref name="run"/>, as <c>StageRunner</c> records it.</summary>
    public static AuditEntry Verdict(RunRecord run, GuardStage stage, string node, VerdictKind verdict, string? reason) => new()
    {
        Timestamp = run.UpdatedAt,
        RunId = run.Id,
        PrincipalId = run.PrincipalId,
        Route = run.Route,
        Stage = stage,
        Node = node,
        Verdict = verdict,
        Reason = reason,
    };
}
