using System.Buffers;
using System.IO.Pipelines;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Aegis.Http;

/// <summary>
/// Reads a JSON request body under the size limit and turns every failure into a coded error:
/// too large (<c>AEG-REQ-004</c>), not JSON (<c>AEG-REQ-001</c>), a field of the wrong type
/// (<c>AEG-REQ-003</c>, naming the field).
/// </summary>
internal static class RequestBodyReader
{
    // The nesting a request body may have, for reading it and for the syntax check of a body it refuses.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo, long limit)
        where T : class
    {
        var request = context.Request;
        if (request.ContentLength is { } declared && declared > limit)
        {
            throw TooLarge(declared, limit);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature
            && (sizeFeature.MaxRequestBodySize is null || sizeFeature.MaxRequestBodySize > limit))
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        // The body is read through the request's pipe and parsed where Kestrel holds it: no copy into a buffer of our own.
        var reader = request.BodyReader;
        ReadResult read;
        while (true)
        {
            try
            {
                read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                throw TooLarge(null, limit);
            }

            if (read.Buffer.Length > limit)
            {
                reader.AdvanceTo(read.Buffer.End);
                throw TooLarge(null, limit);
            }

            if (read.IsCompleted || read.IsCanceled)
            {
                break;
            }

            // Nothing consumed, everything examined: the next read returns once more has arrived.
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        var body = read.Buffer;
        try
        {
            if (body.IsEmpty)
            {
                throw new AegisException(AegisErrors.RequestMalformedJson, "the request body is empty");
            }

            T? value;
            try
            {
                var json = new Utf8JsonReader(body, ReaderOptions);
                value = JsonSerializer.Deserialize(ref json, typeInfo);

                // Anything but whitespace after the value makes the body malformed (the reader throws on it).
                json.Read();
            }
            catch (JsonException ex)
            {
                // The deserialiser reads the whole body, so a body it accepts is well-formed; only a failure needs the
                // syntax check that tells a syntax error (AEG-REQ-001) from a type error (AEG-REQ-003).
                EnsureWellFormed(body);
                throw new AegisException(AegisErrors.RequestInvalidField, $"{FieldOf(ex.Path)}: has the wrong type");
            }

            return value ?? throw new AegisException(AegisErrors.RequestInvalidField, "body: must be a JSON object");
        }
        finally
        {
            reader.AdvanceTo(body.End);
        }
    }

    /// <summary>Checks the syntax first, so that a syntax error is AEG-REQ-001 and a type error AEG-REQ-003.</summary>
    private static void EnsureWellFormed(ReadOnlySequence<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes, ReaderOptions);
        try
        {
            while (reader.Read())
            {
            }
        }
        catch (JsonException ex)
        {
            throw new AegisException(AegisErrors.RequestMalformedJson, string.Create(CultureInfo.InvariantCulture, $"invalid JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}"));
        }
    }

    /// <summary><c>$.messages[0].role</c> → <c>messages[0].role</c>; <c>$</c> → <c>body</c>.</summary>
    internal static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "body";
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static AegisException TooLarge(long? declared, long limit) => new(
        AegisErrors.RequestTooLarge,
        declared is { } size
            ? string.Create(CultureInfo.InvariantCulture, $"the body is {size} bytes; the limit is {limit} bytes")
            : string.Create(CultureInfo.InvariantCulture, $"the body exceeds the limit of {limit} bytes"));
}
