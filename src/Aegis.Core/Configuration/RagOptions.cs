using Microsoft.Extensions.Configuration;

namespace Aegis;

/// <summary>Retrieval (<c>rag:</c>). Not configured means <c>/v1/rag/*</c> answers <c>AEG-RAG-001</c>.</summary>
public sealed class RagOptions
{
    /// <summary>Whether RAG is on.</summary>
    public bool? Enabled { get; set; }

    /// <summary>The namespace used when a request names none (default <c>default</c>).</summary>
    [ConfigurationKeyName("default_namespace")]
    public string? DefaultNamespace { get; set; }

    /// <summary>Chunk size in characters (default 800).</summary>
    [ConfigurationKeyName("chunk_size")]
    public int? ChunkSize { get; set; }
}
