using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Aegis.Storage.Sqlite.Tests.Vectors;

public sealed class SqliteVectorStoreTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Upsert_get_search_and_delete()
    {
        using var database = _temp.Open();
        VectorStore store = new SqliteVectorStore(database);
        var docs = store.GetCollection<string, AegisVectorRecord>("docs");
        Assert.False(await docs.CollectionExistsAsync());
        await docs.UpsertAsync(
        [
            Record("north", [1, 0, 0], "faq"),
            Record("east", [0, 1, 0], "faq"),
            Record("north-east", [1, 1, 0], "blog"),
            Record("down", [0, 0, -1], "faq"),
        ]);
        Assert.True(await docs.CollectionExistsAsync());

        var hits = await docs.SearchAsync(new ReadOnlyMemory<float>([1f, 0.1f, 0]), top: 2).ToListAsync();
        Assert.Equal(["north", "north-east"], hits.Select(h => h.Record.Key));
        Assert.True(hits[0].Score > hits[1].Score);
        Assert.Equal("text of north", hits[0].Record.Text);
        Assert.True(hits[0].Record.Embedding.IsEmpty);

        var source = "faq";
        var filtered = await docs.SearchAsync(new Embedding<float>(new float[] { 1f, 1f, 0 }), top: 5, new VectorSearchOptions<AegisVectorRecord> { Filter = r => r.Metadata["source"] == source, IncludeVectors = true }).ToListAsync();
        Assert.Equal(["east", "north"], filtered.Take(2).Select(h => h.Record.Key).Order());
        Assert.Equal("down", filtered[^1].Record.Key);
        Assert.Equal([1f, 0, 0], filtered.Single(h => h.Record.Key == "north").Record.Embedding.ToArray());

        var got = await docs.GetAsync("north-east", new RecordRetrievalOptions { IncludeVectors = true });
        Assert.Equal("blog", got!.Metadata["source"]);
        Assert.Equal([1f, 1f, 0], got.Embedding.ToArray());

        await docs.UpsertAsync(Record("north", [0, 0, 1], "faq"));
        await docs.DeleteAsync("north-east");
        Assert.Null(await docs.GetAsync("north-east"));
        var after = await docs.SearchAsync(new float[] { 1f, 0.1f, 0 }, top: 1).ToListAsync();
        Assert.Equal("east", Assert.Single(after).Record.Key);

        var byMetadata = await docs.GetAsync(r => r.Metadata["source"] == "faq" && r.Key == "down", top: 10).ToListAsync();
        Assert.Equal("down", Assert.Single(byMetadata).Key);
    }

    [Fact]
    public async Task Namespaces_are_separate_and_listed()
    {
        using var database = _temp.Open();
        var store = new SqliteVectorStore(database);
        await store.GetCollection("a").UpsertAsync(Record("x", [1, 0], "s"));
        await store.GetCollection("b").UpsertAsync(Record("y", [1, 0, 0], "s"));
        Assert.Equal(["a", "b"], await store.ListCollectionNamesAsync().ToListAsync());
        Assert.Equal("x", Assert.Single(await store.GetCollection("a").SearchAsync(new float[] { 1, 0 }, 5).ToListAsync()).Record.Key);

        await store.EnsureCollectionDeletedAsync("a");
        Assert.False(await store.CollectionExistsAsync("a"));
        Assert.Empty(await store.GetCollection("a").SearchAsync(new float[] { 1, 0 }, 5).ToListAsync());
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetCollection("b").UpsertAsync(Record("z", [1, 0], "s")));
    }

    [Fact]
    public async Task A_write_by_another_instance_is_seen_by_the_next_search()
    {
        using var first = _temp.Open();
        using var second = _temp.Open();
        var reader = new SqliteVectorStore(first).GetCollection("docs");
        var writer = new SqliteVectorStore(second).GetCollection("docs");
        await writer.UpsertAsync(Record("one", [1, 0], "s"));
        Assert.Equal("one", Assert.Single(await reader.SearchAsync(new float[] { 1, 0 }, 5).ToListAsync()).Record.Key);

        await writer.UpsertAsync(Record("two", [0.9f, 0.1f], "s"));
        Assert.Equal(["one", "two"], (await reader.SearchAsync(new float[] { 1, 0 }, 5).ToListAsync()).Select(h => h.Record.Key));
    }

    [Fact]
    public async Task Unsupported_filters_and_record_types_are_refused()
    {
        using var database = _temp.Open();
        var store = new SqliteVectorStore(database);
        var docs = store.GetCollection("docs");
        await docs.UpsertAsync(Record("one", [1, 0], "s"));
        await Assert.ThrowsAsync<NotSupportedException>(async () => await docs.SearchAsync(new float[] { 1, 0 }, 1, new VectorSearchOptions<AegisVectorRecord> { Filter = r => r.Text.Length > 3 }).ToListAsync());
        await Assert.ThrowsAsync<NotSupportedException>(async () => await docs.SearchAsync("text query", 1).ToListAsync());
        Assert.Throws<NotSupportedException>(() => store.GetCollection<int, AegisVectorRecord>("docs"));
    }

    [Fact]
    public async Task Top_4_over_many_vectors_is_exact()
    {
        using var database = _temp.Open();
        var docs = new SqliteVectorStore(database).GetCollection("big");
        var random = new Random(7);
        var records = Enumerable.Range(0, 3000).Select(i => Record($"r{i}", [.. Enumerable.Range(0, 64).Select(_ => (float)random.NextDouble() - 0.5f)], "s")).ToList();
        await docs.UpsertAsync(records);
        var query = records[1234].Embedding.ToArray();
        var expected = records
            .Select(r => (r.Key, Score: System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(query, r.Embedding.Span)))
            .OrderByDescending(x => x.Score).Take(4).Select(x => x.Key);
        var hits = await docs.SearchAsync(query, 4).ToListAsync();
        Assert.Equal(expected, hits.Select(h => h.Record.Key));
        Assert.Equal("r1234", hits[0].Record.Key);
    }

    private static AegisVectorRecord Record(string key, float[] vector, string source) => new()
    {
        Key = key,
        Text = "text of " + key,
        Metadata = new Dictionary<string, string> { ["source"] = source },
        Embedding = vector,
    };
}
