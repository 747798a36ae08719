using System.Buffers;
using System.Text.Json;

namespace Aegis.Storage.Sqlite.Serialization;

/// <summary>
/// One buffer and JSON writer per thread for the documents the store writes (run payloads, audit segments), so
/// serializing allocates nothing but what the caller copies out. Use it within one call: <see cref="Rent"/>, write,
/// read <see cref="WrittenSpan"/>, then <see cref="Release"/>.
/// </summary>
internal sealed class JsonScratch
{
    /// <summary>A buffer grown past this (an unusually large document) is dropped rather than kept for the life of the thread.</summary>
    public const int MaxRetainedBytes = 64 * 1024;

    // Stored, never embedded in HTML: keep '<' of placeholders readable in the file.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static JsonScratch? t_current;

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    private JsonScratch() => Writer = new Utf8JsonWriter(_buffer, WriterOptions);

    /// <summary>The writer, reset to write into the empty buffer.</summary>
    public Utf8JsonWriter Writer { get; }

    /// <summary>What has been written (flush <see cref="Writer"/> first).</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    /// <summary>This thread's scratch, emptied.</summary>
    public static JsonScratch Rent()
    {
        var scratch = t_current ??= new JsonScratch();
        scratch._buffer.ResetWrittenCount();
        scratch.Writer.Reset(scratch._buffer);
        return scratch;
    }

    /// <summary>Done with what was written; a buffer grown unusually large is let go.</summary>
    public void Release()
    {
        if (_buffer.Capacity > MaxRetainedBytes)
        {
            t_current = null;
        }
    }
}
