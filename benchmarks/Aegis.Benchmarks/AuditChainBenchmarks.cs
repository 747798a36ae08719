using Aegis.Benchmarking;
using BenchmarkDotNet.Attributes;

namespace Aegis.Benchmarks;

/// <summary>
/// Linking a governed run's five audit events into the chain (<see cref="AuditChain.Link"/>), as every ledger does
/// on its writer's thread: canonical JSON, SHA-256 and the hex string, five times. The entries are
/// <see cref="BenchmarkAudit.GovernedRun"/>, the store benchmarks' too, so the bytes hashed are the gateway's.
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
        _entries = BenchmarkAudit.GovernedRun(run);
    }

    /// <summary>The five links of one governed run, at sequences 1 000 to 1 004.</summary>
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
