using BenchmarkDotNet.Attributes;

namespace Aegis.Storage.Benchmarks;

/// <summary>
/// Reading the durable ledger by time: the first page (100 events) of <see cref="SqliteAuditLedger.QueryAsync"/> with
/// <see cref="AuditQuery.Since"/> on a ledger of <see cref="Runs"/> runs of five events each, one row a run, their
/// timestamps out of sequence order as the gateway writes them (every fifth run started 40 s before the runs appended
/// around it). <see cref="Cursor"/> reads a page from the same place by sequence, for comparison.
/// </summary>
[MemoryDiagnoser]
public class AuditQueryBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private BenchmarkDatabase? _database;
    private SqliteAuditLedger? _ledger;

    /// <summary>Runs in the ledger (one second apart).</summary>
    [Params(100_000)]
    public int Runs { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _database = new BenchmarkDatabase();
        _ledger = new SqliteAuditLedger(_database.Database);
        var ledger = _ledger;
        var next = -1;
        var callers = new Task[32];
        for (var c = 0; c < callers.Length; c++)
        {
            callers[c] = Task.Run(async () =>
            {
                int run;
                while ((run = Interlocked.Increment(ref next)) < Runs)
                {
                    await ledger.AppendAsync(Run(run));
                }
            });
        }

        await Task.WhenAll(callers);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ledger!.Dispose();
        _database!.Dispose();
    }

    /// <summary>Events of the last 100 seconds or so: the page an exporter polling by time asks for.</summary>
    [Benchmark]
    public async Task<int> SinceRecent() =>
        (await _ledger!.QueryAsync(new AuditQuery { Since = T0.AddSeconds(Runs - 100), Limit = 100 })).Events.Count;

    /// <summary>Events from the middle of the ledger on.</summary>
    [Benchmark]
    public async Task<int> SinceMiddle() =>
        (await _ledger!.QueryAsync(new AuditQuery { Since = T0.AddSeconds(Runs / 2), Limit = 100 })).Events.Count;

    /// <summary>A page from the middle of the ledger by its cursor (sequence), which was always a rowid seek.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> Cursor() =>
        (await _ledger!.QueryAsync(new AuditQuery { AfterSequence = Runs / 2 * 5L, Limit = 100 })).Events.Count;

    private static AuditEntry[] Run(int i)
    {
        var id = $"run-{i:D8}";
        var start = T0.AddSeconds(i % 5 == 0 ? i - 40 : i);
        var end = T0.AddSeconds(i + 0.5);
        return
        [
            new AuditEntry { Timestamp = start, RunId = id, PrincipalId = "svc-bench", Route = "support", Node = "engine", Status = RunStatus.Running },
            new AuditEntry { Timestamp = start, RunId = id, PrincipalId = "svc-bench", Route = "support", Stage = GuardStage.Ingress, Node = "pii", Verdict = VerdictKind.Sanitize, Reason = "masked 1 EMAIL_ADDRESS" },
            new AuditEntry { Timestamp = start, RunId = id, PrincipalId = "svc-bench", Route = "support", Stage = GuardStage.Ingress, Node = "injection", Verdict = VerdictKind.Allow },
            new AuditEntry { Timestamp = end, RunId = id, PrincipalId = "svc-bench", Route = "support", Stage = GuardStage.Egress, Node = "pii", Verdict = VerdictKind.Allow },
            new AuditEntry { Timestamp = end, RunId = id, PrincipalId = "svc-bench", Route = "support", Node = "engine", Status = RunStatus.Completed },
        ];
    }
}
