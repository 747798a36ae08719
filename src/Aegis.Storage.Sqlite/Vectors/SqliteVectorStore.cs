using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;

namespace Aegis;

/// <summary>
/// A <see cref="VectorStore"/> over the SQLite database: collections are Aegis RAG namespaces, each a
/// <see cref="SqliteVectorCollection"/> of <see cref="AegisVectorRecord"/>. Only that record type
/// (with <see cref="string"/> keys) is supported; dynamic collections and custom record mappings are not.
/// </summary>
public sealed class SqliteVectorStore : VectorStore
{
    private readonly SqliteDatabase _database;

    /// <summary>Creates the vector store over an opened database.</summary>
    public SqliteVectorStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <summary>The collection (namespace) <paramref name="name"/>; it is created by the first upsert or <see cref="VectorStoreCollection{TKey,TRecord}.EnsureCollectionExistsAsync"/>.</summary>
    public SqliteVectorCollection GetCollection(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new SqliteVectorCollection(_database, name);
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Unless <typeparamref name="TKey"/> is <see cref="string"/> and <typeparamref name="TRecord"/> is <see cref="AegisVectorRecord"/>.</exception>
    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null)
    {
        if (typeof(TKey) != typeof(string) || typeof(TRecord) != typeof(AegisVectorRecord))
        {
            throw new NotSupportedException($"The SQLite vector store supports VectorStoreCollection<string, AegisVectorRecord> only, not <{typeof(TKey).Name}, {typeof(TRecord).Name}>.");
        }

        return (VectorStoreCollection<TKey, TRecord>)(object)GetCollection(name);
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: use <see cref="AegisVectorRecord"/> collections.</exception>
    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition) =>
        throw new NotSupportedException("The SQLite vector store has no dynamic collections; use GetCollection<string, AegisVectorRecord>.");

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<string> names = [];
        try
        {
            using var lease = _database.Rent();
            using var reader = lease.Command("SELECT name FROM vector_collections ORDER BY name;").ExecuteReader();
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }
        }
        catch (Exception ex) when (ex is not AegisException)
        {
            throw new AegisException(AegisErrors.RagStoreFailed, $"{_database.Path}: listing collections failed: {ex.Message}", ex);
        }

        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Exists(_database, name));
    }

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        cancellationToken.ThrowIfCancellationRequested();
        Delete(_database, name);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(VectorStoreMetadata))
        {
            return new VectorStoreMetadata { VectorStoreSystemName = "sqlite", VectorStoreName = _database.Path };
        }

        return serviceType.IsInstanceOfType(this) ? this : serviceType == typeof(SqliteDatabase) ? _database : null;
    }

    internal static bool Exists(SqliteDatabase database, string name)
    {
        try
        {
            using var lease = database.Rent();
            var command = lease.Command("SELECT EXISTS (SELECT 1 FROM vector_collections WHERE name = $c);");
            command.Parameters.AddWithValue("$c", name);
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
        }
        catch (Exception ex) when (ex is not AegisException)
        {
            throw new AegisException(AegisErrors.RagStoreFailed, $"{database.Path}: collection '{name}': checking existence failed: {ex.Message}", ex);
        }
    }

    internal static void Delete(SqliteDatabase database, string name)
    {
        try
        {
            using var lease = database.Rent();
            using var transaction = lease.BeginWrite();
            var vectors = lease.Command("DELETE FROM vectors WHERE collection = $c;", transaction);
            vectors.Parameters.AddWithValue("$c", name);
            vectors.ExecuteNonQuery();
            var collection = lease.Command("DELETE FROM vector_collections WHERE name = $c;", transaction);
            collection.Parameters.AddWithValue("$c", name);
            collection.ExecuteNonQuery();
            transaction.Commit();
            database.VectorCaches.TryRemove(name, out _);
        }
        catch (Exception ex) when (ex is not AegisException)
        {
            throw new AegisException(AegisErrors.RagStoreFailed, $"{database.Path}: collection '{name}': deleting failed: {ex.Message}", ex);
        }
    }
}
