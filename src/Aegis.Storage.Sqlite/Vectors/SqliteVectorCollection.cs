using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Aegis.Storage.Sqlite.Serialization;
using Aegis.Storage.Sqlite.Vectors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Aegis;

/// <summary>
/// A vector collection (an Aegis RAG namespace) in the SQLite database: records of
/// <see cref="AegisVectorRecord"/>, embeddings stored as float32 BLOBs, top-k search by cosine
/// similarity computed with System.Numerics.Tensors over an in-memory copy of the collection. The
/// copy is loaded on the first search and reloaded when the collection's data version changes
/// (every upsert and delete, by this or any other process, bumps it; each search checks it with one
/// indexed read). Filters: equality on <c>Key</c>, <c>Text</c> and <c>Metadata["name"]</c>, joined with <c>&amp;&amp;</c>.
/// </summary>
public sealed class SqliteVectorCollection : VectorStoreCollection<string, AegisVectorRecord>
{
    private readonly SqliteDatabase _database;
    private readonly VectorCache _cache;

    internal SqliteVectorCollection(SqliteDatabase database, string name)
    {
        _database = database;
        Name = name;
        _cache = database.VectorCaches.GetOrAdd(name, static _ => new VectorCache());
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(SqliteVectorStore.Exists(_database, Name));
    }

    /// <inheritdoc />
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Run("creating the collection", lease =>
        {
            var command = lease.Command("INSERT INTO vector_collections (name) VALUES ($c) ON CONFLICT (name) DO NOTHING;");
            command.Parameters.AddWithValue("$c", Name);
            command.ExecuteNonQuery();
        });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SqliteVectorStore.Delete(_database, Name);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task<AegisVectorRecord?> GetAsync(string key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        AegisVectorRecord? record = null;
        Run("reading a record", lease =>
        {
            var command = lease.Command("SELECT key, text, metadata, embedding FROM vectors WHERE collection = $c AND key = $k;");
            command.Parameters.AddWithValue("$c", Name);
            command.Parameters.AddWithValue("$k", key);
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                record = new AegisVectorRecord
                {
                    Key = reader.GetString(0),
                    Text = reader.GetString(1),
                    Metadata = JsonSerializer.Deserialize(reader.GetString(2), SqliteJsonContext.Default.DictionaryStringString) ?? [],
                    Embedding = options?.IncludeVectors == true ? MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(3)).ToArray() : ReadOnlyMemory<float>.Empty,
                };
            }
        });
        return Task.FromResult(record);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<AegisVectorRecord> GetAsync(Expression<Func<AegisVectorRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<AegisVectorRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var predicate = VectorFilter.From(filter);
        var snapshot = Snapshot();
        if (snapshot is null)
        {
            yield break;
        }

        var skip = options?.Skip ?? 0;
        var returned = 0;
        for (var i = 0; i < snapshot.Count && returned < top; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (predicate is not null && !predicate.Matches(snapshot.Keys[i], snapshot.Texts[i], snapshot.Metadata[i]))
            {
                continue;
            }

            if (skip > 0)
            {
                skip--;
                continue;
            }

            returned++;
            yield return ToRecord(snapshot, i, options?.IncludeVectors == true);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override Task DeleteAsync(string key, CancellationToken cancellationToken = default) => DeleteAsync([key], cancellationToken);

    /// <inheritdoc />
    public override Task DeleteAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        Run("deleting records", lease =>
        {
            using var transaction = lease.BeginWrite();
            var delete = lease.Command("DELETE FROM vectors WHERE collection = $c AND key = $k;", transaction);
            var c = delete.Parameters.AddWithValue("$c", Name);
            var k = delete.Parameters.Add("$k", Microsoft.Data.Sqlite.SqliteType.Text);
            var deleted = 0;
            foreach (var key in keys)
            {
                k.Value = key;
                deleted += delete.ExecuteNonQuery();
            }

            if (deleted > 0)
            {
                BumpVersion(lease, transaction, null);
            }

            transaction.Commit();
        });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task UpsertAsync(AegisVectorRecord record, CancellationToken cancellationToken = default) => UpsertAsync([record], cancellationToken);

    /// <inheritdoc />
    public override Task UpsertAsync(IEnumerable<AegisVectorRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        cancellationToken.ThrowIfCancellationRequested();
        var list = records as IReadOnlyList<AegisVectorRecord> ?? [.. records];
        if (list.Count == 0)
        {
            return Task.CompletedTask;
        }

        var dimensions = list[0].Embedding.Length;
        foreach (var record in list)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(records));
            ArgumentException.ThrowIfNullOrEmpty(record.Key, nameof(records));
            if (record.Embedding.Length == 0 || record.Embedding.Length != dimensions)
            {
                throw new ArgumentException($"record '{record.Key}': every embedding of one upsert must have the same, non-zero length ({dimensions})", nameof(records));
            }
        }

        Run("upserting records", lease =>
        {
            using var transaction = lease.BeginWrite();
            BumpVersion(lease, transaction, dimensions);
            var upsert = lease.Command("INSERT INTO vectors (collection, key, text, metadata, embedding) VALUES ($c, $k, $t, $m, $e) ON CONFLICT (collection, key) DO UPDATE SET text = excluded.text, metadata = excluded.metadata, embedding = excluded.embedding;", transaction);
            upsert.Parameters.AddWithValue("$c", Name);
            var k = upsert.Parameters.Add("$k", Microsoft.Data.Sqlite.SqliteType.Text);
            var t = upsert.Parameters.Add("$t", Microsoft.Data.Sqlite.SqliteType.Text);
            var m = upsert.Parameters.Add("$m", Microsoft.Data.Sqlite.SqliteType.Text);
            var e = upsert.Parameters.Add("$e", Microsoft.Data.Sqlite.SqliteType.Blob);
            foreach (var record in list)
            {
                k.Value = record.Key;
                t.Value = record.Text ?? string.Empty;
                m.Value = JsonSerializer.Serialize(record.Metadata ?? [], SqliteJsonContext.Default.DictionaryStringString);
                e.Value = MemoryMarshal.AsBytes(record.Embedding.Span).ToArray();
                upsert.ExecuteNonQuery();
            }

            transaction.Commit();
        });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<VectorSearchResult<AegisVectorRecord>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<AegisVectorRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var query = searchValue switch
        {
            ReadOnlyMemory<float> memory => memory,
            float[] array => array,
            Embedding<float> embedding => embedding.Vector,
            _ => throw new NotSupportedException($"search value of type {typeof(TInput).Name}: this collection has no embedding generator; pass the query embedding as ReadOnlyMemory<float>, float[] or Embedding<float>"),
        };
        var filter = VectorFilter.From(options?.Filter);
        var snapshot = Snapshot();
        if (snapshot is null || snapshot.Count == 0)
        {
            yield break;
        }

        if (query.Length != snapshot.Dimensions)
        {
            throw new ArgumentException($"the query embedding has {query.Length} dimensions; collection '{Name}' has {snapshot.Dimensions}", nameof(searchValue));
        }

        var results = snapshot.Search(query.Span, top, options?.Skip ?? 0, filter, options?.ScoreThreshold);
        foreach (var (index, score) in results)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new VectorSearchResult<AegisVectorRecord>(ToRecord(snapshot, index, options?.IncludeVectors == true), score);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(VectorStoreCollectionMetadata))
        {
            return new VectorStoreCollectionMetadata { VectorStoreSystemName = "sqlite", VectorStoreName = _database.Path, CollectionName = Name };
        }

        return serviceType.IsInstanceOfType(this) ? this : serviceType == typeof(SqliteDatabase) ? _database : null;
    }

    private static AegisVectorRecord ToRecord(VectorSnapshot snapshot, int index, bool includeVector) => new()
    {
        Key = snapshot.Keys[index],
        Text = snapshot.Texts[index],
        Metadata = new Dictionary<string, string>(snapshot.Metadata[index], StringComparer.Ordinal),
        Embedding = includeVector ? snapshot.Vector(index).ToArray() : ReadOnlyMemory<float>.Empty,
    };

    /// <summary>The in-memory copy at the current data version, or <see langword="null"/> if the collection does not exist.</summary>
    private VectorSnapshot? Snapshot()
    {
        VectorSnapshot? snapshot = null;
        Run("searching", lease =>
        {
            var read = lease.Command("SELECT version, dimensions FROM vector_collections WHERE name = $c;");
            read.Parameters.AddWithValue("$c", Name);
            long version;
            int dimensions;
            using (var reader = read.ExecuteReader())
            {
                if (!reader.Read())
                {
                    return;
                }

                version = reader.GetInt64(0);
                dimensions = reader.IsDBNull(1) ? 0 : reader.GetInt32(1);
            }

            snapshot = _cache.Current is { } current && current.Version == version
                ? current
                : _cache.Reload(version, v => VectorSnapshot.Load(lease.Connection, Name, v, dimensions));
        });
        return snapshot;
    }

    private void BumpVersion(Storage.Sqlite.Connections.ConnectionPool.Lease lease, Microsoft.Data.Sqlite.SqliteTransaction transaction, int? dimensions)
    {
        var next = lease.Command("INSERT INTO meta (name, value) VALUES ('vector_version', 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value;", transaction);
        var version = Convert.ToInt64(next.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        var update = lease.Command("INSERT INTO vector_collections (name, dimensions, version) VALUES ($c, $d, $v) ON CONFLICT (name) DO UPDATE SET version = excluded.version, dimensions = COALESCE(vector_collections.dimensions, excluded.dimensions) RETURNING dimensions;", transaction);
        update.Parameters.AddWithValue("$c", Name);
        update.Parameters.AddWithValue("$d", (object?)dimensions ?? DBNull.Value);
        update.Parameters.AddWithValue("$v", version);
        var stored = update.ExecuteScalar();
        if (dimensions is { } d && stored is long s && s != d)
        {
            throw new ArgumentException($"collection '{Name}' holds {s}-dimension embeddings; got {d}");
        }
    }

    private void Run(string operation, Action<Storage.Sqlite.Connections.ConnectionPool.Lease> action)
    {
        try
        {
            using var lease = _database.Rent();
            action(lease);
        }
        catch (Exception ex) when (ex is not AegisException and not ArgumentException and not NotSupportedException)
        {
            throw new AegisException(AegisErrors.RagStoreFailed, $"{_database.Path}: collection '{Name}': {operation} failed: {ex.Message}", ex);
        }
    }
}
