using Microsoft.Extensions.VectorData;

namespace Aegis;

/// <summary>
/// The record type of the SQLite vector store: a key, the text, string metadata (filterable on
/// equality) and the embedding. A collection takes its dimension count from the first record
/// upserted into it; the <c>384</c> below is the default embedding's and only a hint.
/// </summary>
public sealed class AegisVectorRecord
{
    /// <summary>The record key, unique within its collection.</summary>
    [VectorStoreKey]
    public string Key { get; set; } = string.Empty;

    /// <summary>The text the embedding was computed from.</summary>
    [VectorStoreData]
    public string Text { get; set; } = string.Empty;

    /// <summary>String metadata; searches and gets filter on equality, e.g. <c>r =&gt; r.Metadata["source"] == "faq"</c>.</summary>
    [VectorStoreData(IsIndexed = true)]
    public Dictionary<string, string> Metadata { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The embedding; compared by cosine similarity.</summary>
    [VectorStoreVector(384, DistanceFunction = DistanceFunction.CosineSimilarity)]
    public ReadOnlyMemory<float> Embedding { get; set; }
}
