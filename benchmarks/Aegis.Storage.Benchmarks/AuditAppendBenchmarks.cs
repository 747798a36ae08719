using BenchmarkDotNet.Attributes;

namespace Aegis.Storage.Benchmarks;

/// <summary>
/// Durable audit appends (WAL, synchronous=FULL): <see cref="Concurrency"/> callers each append one
/// event at a time until <see cref="EventsPerOperation"/> are acknowledged. The reported time is per
/// event (OperationsPerInvoke), so events/s = 1 s / Mean.
/// </summary>
[MemoryDiagnoser]
public class AuditAppendBenchmarks
{
    private const int EventsPerOperation = 4096;
    private BenchmarkDatabase? _database;
    private SqliteAuditLedger? _ledger;

    /// <summary>How many callers append at once (group commit batches what they queue).</summary>
    [Params(1, 16, 256)]
    public int Concurrency { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _database = new BenchmarkDatabase();
        _ledger = new SqliteAuditLedger(_database.Database);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ledger!.Dispose();
        _database!.Dispose();
    }

    [Benchmark(OperationsPerInvoke = EventsPerOperation)]
    public async Task AppendDurable()
    {
        var ledger = _ledger!;
        var perCaller = EventsPerOperation / Concurrency;
        var callers = new Task[Concurrency];
        for (var c = 0; c < callers.Length; c++)
        {
            callers[c] = Task.Run(async () =>
            {
                for (var i = 0; i < perCaller; i++)
                {
                    await ledger.AppendAsync([Entry]);
                }
            });
        }

        await Task.WhenAll(callers);
    }

    private static readonly AuditEntry Entry = new()
    {
        Timestamp = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
        RunId = "0b9f1c7e-8a2d-4c1e-9f3a-5d6e7f809a1b",
        PrincipalId = "svc-bench",
        Route = "support",
        Stage = GuardStage.Ingress,
        Node = "pii",
        Verdict = VerdictKind.Sanitize,
        Reason = "masked 1 EMAIL_ADDRESS",
    };
}
