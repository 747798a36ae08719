using BenchmarkDotNet.Attributes;

namespace Aegis.Storage.Benchmarks;

/// <summary>Run create+complete (two durable commits) and API key lookup by hash.</summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private BenchmarkDatabase? _database;
    private SqliteRunStore? _runs;
    private SqliteApiKeyStore? _keys;
    private string[] _hashes = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _database = new BenchmarkDatabase();
        _runs = new SqliteRunStore(_database.Database);
        _keys = new SqliteApiKeyStore(_database.Database);
        _hashes = new string[1000];
        for (var i = 0; i < _hashes.Length; i++)
        {
            var created = _keys.CreateAsync(new ApiKeyRequest { Name = "k" + i, PrincipalId = "p" + i, Team = "t" }).AsTask().GetAwaiter().GetResult();
            _hashes[i] = ApiKeys.Hash(created.Key);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _database!.Dispose();

    [Benchmark]
    public async Task RunCreateAndComplete()
    {
        var now = DateTimeOffset.UtcNow;
        var run = new RunRecord
        {
            Id = Guid.NewGuid().ToString(),
            Route = "support",
            PrincipalId = "svc-bench",
            Status = RunStatus.Running,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await _runs!.CreateAsync(run);
        await _runs.TryUpdateAsync(run with { Status = RunStatus.Completed, Response = "done", Usage = new RunUsage(42, 7) }, RunStatus.Running);
    }

    [Benchmark]
    public async Task<ApiKeyRecord?> KeyLookupByHash()
    {
        var hash = _hashes[_next++ % _hashes.Length];
        return await _keys!.FindByHashAsync(hash);
    }
}
