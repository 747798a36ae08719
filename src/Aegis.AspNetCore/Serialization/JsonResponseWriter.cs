using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Aegis.Http;

/// <summary>
/// Writes a whole JSON body with a <c>Content-Length</c>: the value is serialised synchronously into a per-thread
/// buffer, copied into the response's pipe and flushed once. Against <c>JsonSerializer.SerializeAsync</c> on the
/// response stream this saves the chunked transfer encoding, the async serialiser's state and a buffer per request.
/// </summary>
internal static class JsonResponseWriter
{
    /// <summary>Buffers above this size are not kept for the thread's next response.</summary>
    private const int MaxRetainedBytes = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static Task WriteAsync<T>(HttpResponse response, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        try
        {
            writer.Reset(buffer);
            JsonSerializer.Serialize(writer, value, typeInfo);
            writer.Flush();
            var body = buffer.WrittenSpan;
            response.ContentLength = body.Length;

            // The copy into the pipe is synchronous, so the per-thread buffer is free again before any await.
            response.BodyWriter.Write(body);
        }
        finally
        {
            if (buffer.Capacity > MaxRetainedBytes)
            {
                t_buffer = null;
                t_writer = null;
            }
            else
            {
                buffer.ResetWrittenCount();
            }
        }

        var flush = response.BodyWriter.FlushAsync(cancellationToken);
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }
}
