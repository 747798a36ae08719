using BenchmarkDotNet.Attributes;

namespace Aegis.Storage.Benchmarks;

/// <summary>Top-4 cosine search over <see cref="Count"/> random 384-dimension vectors (collection already loaded).</summary>
[MemoryDiagnoser]
public class VectorSearchBenchmarks
{
    private const int Dimensions = 384;
    private BenchmarkDatabase? _database;
    private SqliteVectorCollection? _collection;
    private float[] _query = [];

    [Params(10_000, 100_000)]
    public int Count { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _database = new BenchmarkDatabase();
        _collection = new SqliteVectorStore(_database.Database).GetCollection("bench");
        var random = new Random(42);
        const int Batch = 5_000;
        for (var start = 0; start < Count; start += Batch)
        {
            var records = new List<AegisVectorRecord>(Batch);
            for (var i = start; i < start + Batch; i++)
            {
                var vector = new float[Dimensions];
                for (var d = 0; d < Dimensions; d++)
                {
                    vector[d] = (float)(random.NextDouble() - 0.5);
                }

                records.Add(new AegisVectorRecord { Key = "doc-" + i, Text = "chunk " + i, Metadata = { ["source"] = i % 2 == 0 ? "faq" : "wiki" }, Embedding = vector });
            }

            _collection.UpsertAsync(records).GetAwaiter().GetResult();
        }

        _query = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++)
        {
            _query[d] = (float)(random.NextDouble() - 0.5);
        }

        // Load the collection into memory once, as a running server would have.
        Top4().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _database!.Dispose();

    [Benchmark]
    public async Task<int> Top4()
    {
        var found = 0;
        await foreach (var result in _collection!.SearchAsync(_query, 4))
        {
            found += result.Record.Key.Length;
        }

        return found;
    }
}
