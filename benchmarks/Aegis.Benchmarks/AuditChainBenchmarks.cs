using Aegis.Benchmarking;
using BenchmarkDotNet.Attributes;

namespace Aegis.Benchmarks;

/// <summary>
/// Linking a governed run's five audit events into the chain (<see cref="AuditChain.Link"/>), as every ledger does
/// on its writer's thread: canonical JSON, SHA-256 and the hex string, five times. The entries are the load test's
/// (the status, the three verdicts and the status again), so the bytes hashed are the gateway's.
/// </summary>
[MemoryDiagnoser]
public class AuditChainBenchmarks
{
    private AuditEntry[] _entries = [];

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        var run = new RunRecord
        {
            Id = Guid.CreateVersion7(now).ToString(),
            Route = "default",
            PrincipalId = "loadtest",
            Status = RunStatus.Completed,
            CreatedAt = now,
            UpdatedAt = now,
        };
        _entries =
        [
            BenchmarkAudit.Status(run, RunStatus.Running),
            BenchmarkAudit.Verdict(run, GuardStage.Ingress, "pii", VerdictKind.Sanitize, "masked 1 EMAIL_ADDRESS, 1 PHONE_NUMBER"),
            BenchmarkAudit.Verdict(run, GuardStage.Ingress, "injection", VerdictKind.Allow, null),
            BenchmarkAudit.Verdict(run, GuardStage.Egress, "pii", VerdictKind.Allow, null),
            BenchmarkAudit.Status(run, RunStatus.Completed),
        ];
    }

    /// <summary>The five links of one governed run, after a head at sequence 1 000.</summary>
    [Benchmark]
    public string LinkGovernedRun()
    {
        var previous = AuditChain.GenesisHash;
        for (var i = 0; i < _entries.Length; i++)
        {
            previous = AuditChain.Link(1_000 + i, previous, _entries[i]).Hash;
        }

        return previous;
    }
}
