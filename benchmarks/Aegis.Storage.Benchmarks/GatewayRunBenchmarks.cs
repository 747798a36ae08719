using Aegis.Benchmarking;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace Aegis.Storage.Benchmarks;

/// <summary>
/// Exactly what <c>aegis serve</c> asks of the store per governed synchronous request:
/// <see cref="Concurrency"/> callers each, one request after another, look up their API key by hash
/// (<c>FindByHashAsync</c>, as <c>ApiKeyAuthenticator</c> does) and then write the finished run and its five
/// audit events in one write (<c>CreateWithAuditAsync</c>, as <c>RunExecutor.FinalizeAsync</c>
/// does). The run carries what the load test sends: a system message, the 900-character user message (masked,
/// <see cref="BenchmarkTexts.MaskedPrompt"/>) and
/// a 700-character answer. The reported time and allocations are per run (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class GatewayRunBenchmarks
{
    private const int RunsPerOperation = 1024;
    private GatewayRunWorkload? _workload;

    /// <summary>How many requests are in flight at once (the load test uses 32 connections).</summary>
    [Params(1, 32)]
    public int Concurrency { get; set; }

    [GlobalSetup]
    public void Setup() => _workload = new GatewayRunWorkload();

    [GlobalCleanup]
    public void Cleanup() => _workload!.Dispose();

    [Benchmark(OperationsPerInvoke = RunsPerOperation)]
    public Task GovernedRun() => _workload!.RunAsync(Concurrency, RunsPerOperation);
}

/// <summary>
/// The per-request store work of a governed run, shared by <see cref="GatewayRunBenchmarks"/> and the
/// fixed-work console mode (<c>-- gateway-run RUNS CALLERS [writer-thread]</c>, for <c>perf stat</c>).
/// </summary>
internal sealed class GatewayRunWorkload : IDisposable
{
    private readonly BenchmarkDatabase _database;
    private readonly SqliteRunStore _runs;
    private readonly SqliteApiKeyStore _keys;
    private readonly string _keyHash;

    public GatewayRunWorkload(SqliteStoreOptions? options = null)
    {
        _database = new BenchmarkDatabase(options);
        _runs = new SqliteRunStore(_database.Database);
        _keys = new SqliteApiKeyStore(_database.Database);
        for (var i = 0; i < 20; i++)
        {
            _keys.CreateAsync(new ApiKeyRequest { Name = "other-" + i, PrincipalId = "svc-" + i, Team = "t" }).AsTask().GetAwaiter().GetResult();
        }

        // No team, as the load test's key has none: the run payload is then the gateway's to the byte.
        var key = _keys.CreateAsync(new ApiKeyRequest { Name = "load", PrincipalId = "svc-load" }).AsTask().GetAwaiter().GetResult();
        _keyHash = ApiKeys.Hash(key.Key);
    }

    /// <summary>Runs <paramref name="runs"/> governed runs over <paramref name="callers"/> concurrent callers.</summary>
    public async Task RunAsync(int callers, int runs)
    {
        var perCaller = runs / callers;
        var tasks = new Task[callers];
        for (var c = 0; c < tasks.Length; c++)
        {
            tasks[c] = Task.Run(async () =>
            {
                for (var i = 0; i < perCaller; i++)
                {
                    await OneRunAsync().ConfigureAwait(false);
                }
            });
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Bytes in the database file and its WAL now (read from the file system).</summary>
    public long DatabaseBytes() => _database.Bytes();

    public void Dispose() => _database.Dispose();

    private async Task OneRunAsync()
    {
        var key = await _keys.FindByHashAsync(_keyHash).ConfigureAwait(false)
            ?? throw new InvalidOperationException("the key was not found");
        var now = DateTimeOffset.UtcNow;
        var run = new RunRecord
        {
            Id = Guid.CreateVersion7(now).ToString(), // time-ordered, as AegisEngine makes run ids
            Route = "support",
            PrincipalId = key.PrincipalId,
            Team = key.Team,
            Status = RunStatus.Completed,
            Messages = [new ChatMessage(ChatRole.System, "You are a helpful assistant."), new ChatMessage(ChatRole.User, BenchmarkTexts.MaskedPrompt)],
            Response = BenchmarkTexts.Answer,
            Usage = new RunUsage(312, 164),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await _runs.CreateWithAuditAsync(run, BenchmarkAudit.GovernedRun(run)).ConfigureAwait(false);
    }
}
