using BenchmarkDotNet.Attributes;

namespace Aegis.Storage.Benchmarks;

/// <summary>
/// Durable run writes (WAL, synchronous=FULL) under concurrency: <see cref="Concurrency"/> callers
/// each handle runs one after another until <see cref="RunsPerOperation"/> are done. The reported
/// time is per run (OperationsPerInvoke), so runs/s = 1 s / Mean.
/// <see cref="CreateAndComplete"/> creates a run and completes it (compare-and-set);
/// <see cref="CreateAndAudit"/> is what the gateway does for a synchronous request: one
/// <c>CreateAsync</c> of the finished run, then one audit append of five events.
/// </summary>
[MemoryDiagnoser]
public class RunWriteBenchmarks
{
    private const int RunsPerOperation = 512;
    private BenchmarkDatabase? _database;
    private SqliteRunStore? _runs;
    private SqliteAuditLedger? _ledger;

    /// <summary>How many callers write at once.</summary>
    [Params(1, 32)]
    public int Concurrency { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _database = new BenchmarkDatabase();
        _runs = new SqliteRunStore(_database.Database);
        _ledger = new SqliteAuditLedger(_database.Database);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ledger!.Dispose();
        _database!.Dispose();
    }

    [Benchmark(OperationsPerInvoke = RunsPerOperation)]
    public Task CreateAndComplete() => RunCallersAsync(async () =>
    {
        var run = NewRun(RunStatus.Running);
        await _runs!.CreateAsync(run);
        if (!await _runs.TryUpdateAsync(run with { Status = RunStatus.Completed, Response = "done", Usage = new RunUsage(42, 7) }, RunStatus.Running))
        {
            throw new InvalidOperationException("the compare-and-set lost against nobody");
        }
    });

    [Benchmark(OperationsPerInvoke = RunsPerOperation)]
    public Task CreateAndAudit() => RunCallersAsync(async () =>
    {
        var run = NewRun(RunStatus.Completed);
        await _runs!.CreateAsync(run);
        await _ledger!.AppendAsync(AuditOf(run));
    });

    private async Task RunCallersAsync(Func<Task> oneRun)
    {
        var perCaller = RunsPerOperation / Concurrency;
        var callers = new Task[Concurrency];
        for (var c = 0; c < callers.Length; c++)
        {
            callers[c] = Task.Run(async () =>
            {
                for (var i = 0; i < perCaller; i++)
                {
                    await oneRun();
                }
            });
        }

        await Task.WhenAll(callers);
    }

    private static RunRecord NewRun(RunStatus status)
    {
        var now = DateTimeOffset.UtcNow;
        return new RunRecord
        {
            Id = Guid.NewGuid().ToString(),
            Route = "support",
            PrincipalId = "svc-bench",
            Status = status,
            Messages = [new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, "write to <EMAIL_ADDRESS_1>")],
            Response = status == RunStatus.Completed ? "done" : null,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    private static AuditEntry[] AuditOf(RunRecord run)
    {
        var entries = new AuditEntry[5];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new AuditEntry
            {
                Timestamp = run.UpdatedAt,
                RunId = run.Id,
                PrincipalId = run.PrincipalId,
                Route = run.Route,
                Stage = i < 2 ? GuardStage.Ingress : GuardStage.Egress,
                Node = i % 2 == 0 ? "pii" : "injection",
                Verdict = VerdictKind.Allow,
                Status = i == entries.Length - 1 ? RunStatus.Completed : null,
            };
        }

        return entries;
    }
}
