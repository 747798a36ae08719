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
