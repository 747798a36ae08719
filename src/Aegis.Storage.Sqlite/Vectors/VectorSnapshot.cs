using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.Json;
using Aegis.Storage.Sqlite.Connections;
using Aegis.Storage.Sqlite.Serialization;

namespace Aegis.Storage.Sqlite.Vectors;

/// <summary>
/// One collection loaded into memory at one data version: vectors in one contiguous array so that
/// a search is a single pass of <see cref="TensorPrimitives.CosineSimilarity(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
/// over adjacent rows. Immutable; replaced when the collection's version changes.
/// </summary>
internal sealed class VectorSnapshot
{
    private VectorSnapshot(long version, int dimensions, string[] keys, string[] texts, Dictionary<string, string>[] metadata, float[] vectors)
    {
        Version = version;
        Dimensions = dimensions;
        Keys = keys;
        Texts = texts;
        Metadata = metadata;
        Vectors = vectors;
    }

    public long Version { get; }

    public int Dimensions { get; }

    public int Count => Keys.Length;

    public string[] Keys { get; }

    public string[] Texts { get; }

    public Dictionary<string, string>[] Metadata { get; }

    public float[] Vectors { get; }

    public ReadOnlySpan<float> Vector(int index) => Vectors.AsSpan(index * Dimensions, Dimensions);

    /// <summary>Loads a collection in one read transaction (a consistent snapshot with its version).</summary>
    public static VectorSnapshot Load(PooledConnection connection, string collection, long version, int dimensions)
    {
        using var transaction = connection.Connection.BeginTransaction(deferred: true);
        var count = connection.Command("SELECT COUNT(*) FROM vectors WHERE collection = $c;", transaction);
        count.Parameters.AddWithValue("$c", collection);
        var n = Convert.ToInt32(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        var keys = new string[n];
        var texts = new string[n];
        var metadata = new Dictionary<string, string>[n];
        var vectors = new float[checked(n * dimensions)];
        var select = connection.Command("SELECT key, text, metadata, embedding FROM vectors WHERE collection = $c ORDER BY rowid;", transaction);
        select.Parameters.AddWithValue("$c", collection);
        var buffer = new byte[dimensions * sizeof(float)];
        var i = 0;
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read() && i < n)
            {
                keys[i] = reader.GetString(0);
                texts[i] = reader.GetString(1);
                metadata[i] = JsonSerializer.Deserialize(reader.GetString(2), SqliteJsonContext.Default.DictionaryStringString) ?? [];
                var length = reader.GetBytes(3, 0, buffer, 0, buffer.Length);
                if (length != buffer.Length)
                {
                    throw new InvalidDataException($"vector '{keys[i]}' of collection '{collection}' has {length} bytes, expected {buffer.Length}");
                }

                MemoryMarshal.Cast<byte, float>(buffer).CopyTo(vectors.AsSpan(i * dimensions, dimensions));
                i++;
            }
        }

        transaction.Commit();
        return new VectorSnapshot(version, dimensions, keys, texts, metadata, vectors);
    }

    /// <summary>The indices of the <paramref name="top"/> best rows after <paramref name="skip"/>, best first, with their scores.</summary>
    public List<(int Index, float Score)> Search(ReadOnlySpan<float> query, int top, int skip, VectorFilter? filter, double? threshold)
    {
        var wanted = top + skip;
        var heap = new PriorityQueue<int, float>(wanted + 1);
        for (var i = 0; i < Keys.Length; i++)
        {
            if (filter is not null && !filter.Matches(Keys[i], Texts[i], Metadata[i]))
            {
                continue;
            }

            var score = TensorPrimitives.CosineSimilarity(query, Vector(i));
            if (float.IsNaN(score) || (threshold is { } t && score < t))
            {
                continue;
            }

            if (heap.Count < wanted)
            {
                heap.Enqueue(i, score);
            }
            else if (heap.TryPeek(out _, out var worst) && score > worst)
            {
                heap.DequeueEnqueue(i, score);
            }
        }

        var results = new List<(int, float)>(heap.Count);
        while (heap.TryDequeue(out var index, out var score))
        {
            results.Add((index, score));
        }

        results.Reverse();
        return skip >= results.Count ? [] : results.GetRange(skip, results.Count - skip);
    }
}
