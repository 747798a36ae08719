using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Aegis.Providers.OpenAI;

/// <summary>
/// Reads a <c>chat.completion</c> body into a <see cref="ChatResponse"/> with a <see cref="Utf8JsonReader"/>, and holds
/// the pieces the stream reader shares (usage, finish reason, role, tool-call arguments). Unknown fields are skipped;
/// a known field of the wrong JSON type is a <see cref="JsonException"/>, which the client reports as a malformed answer.
/// </summary>
internal static class ChatCompletionResponseReader
{
    /// <summary>Reads a whole non-streamed answer.</summary>
    /// <exception cref="JsonException">The body is not a chat completion.</exception>
    public static ChatResponse Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw Malformed("not a JSON object");
        }

        string? id = null;
        string? model = null;
        DateTimeOffset? created = null;
        UsageDetails? usage = null;
        ChatMessage? message = null;
        ChatFinishReason? finishReason = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("id"u8))
            {
                id = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                model = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("created"u8))
            {
                created = ReadUnixTime(ref reader);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                usage = ReadUsage(ref reader);
            }
            else if (reader.ValueTextEquals("choices"u8))
            {
                ReadChoices(ref reader, ref message, ref finishReason);
            }
            else
            {
                reader.Skip();
            }
        }

        if (message is null)
        {
            throw Malformed("no choice");
        }

        message.MessageId = id;
        return new ChatResponse(message)
        {
            ResponseId = id,
            ModelId = model,
            CreatedAt = created,
            FinishReason = finishReason,
            Usage = usage,
        };
    }

    private static void ReadChoices(ref Utf8JsonReader reader, ref ChatMessage? message, ref ChatFinishReason? finishReason)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Malformed("a choice is not an object");
            }

            if (message is not null)
            {
                // n = 1: the first choice is the answer.
                reader.Skip();
                continue;
            }

            var role = ChatRole.Assistant;
            List<AIContent> contents = [];
            string? refusal = null;
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("message"u8))
                {
                    ReadMessage(ref reader, ref role, contents, ref refusal);
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    finishReason = ReadFinishReason(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }

            if (refusal is not null)
            {
                contents.Add(new ErrorContent(refusal) { ErrorCode = OpenAIConventions.RefusalErrorCode });
            }

            message = new ChatMessage(role, contents);
        }
    }

    private static void ReadMessage(ref Utf8JsonReader reader, ref ChatRole role, List<AIContent> contents, ref string? refusal)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        List<AIContent>? calls = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("role"u8))
            {
                role = ReadRole(ref reader) ?? role;
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                ReadContent(ref reader, contents);
            }
            else if (reader.ValueTextEquals("refusal"u8))
            {
                refusal = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                calls = ReadToolCalls(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        // Text first, then the calls, whatever order the fields came in.
        if (calls is not null)
        {
            contents.AddRange(calls);
        }
    }

    private static void ReadContent(ref Utf8JsonReader reader, List<AIContent> contents)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return;
            case JsonTokenType.String:
                if (reader.ValueSpan.Length > 0)
                {
                    contents.Add(new TextContent(reader.GetString()));
                }

                return;
            case JsonTokenType.StartArray:
                // Some compatible servers answer content parts; their text parts are the answer.
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw Malformed("a content part is not an object");
                    }

                    string? text = null;
                    while (NextProperty(ref reader))
                    {
                        if (reader.ValueTextEquals("text"u8))
                        {
                            text = ReadString(ref reader);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    if (!string.IsNullOrEmpty(text))
                    {
                        contents.Add(new TextContent(text));
                    }
                }

                return;
            default:
                throw Malformed("content is not a string");
        }
    }

    private static List<AIContent>? ReadToolCalls(ref Utf8JsonReader reader)
    {
        if (!ReadUnlessNull(ref reader, JsonTokenType.StartArray, "tool_calls is not an array"))
        {
            return null;
        }

        var calls = new List<AIContent>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Malformed("a tool call is not an object");
            }

            string? id = null;
            string? name = null;
            IDictionary<string, object?>? arguments = null;
            Exception? invalid = null;
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    id = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("function"u8))
                {
                    Expect(ref reader, JsonTokenType.StartObject);
                    while (NextProperty(ref reader))
                    {
                        if (reader.ValueTextEquals("name"u8))
                        {
                            name = ReadString(ref reader);
                        }
                        else if (reader.ValueTextEquals("arguments"u8))
                        {
                            reader.Read();
                            arguments = ReadArguments(ref reader, out invalid);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            if (!string.IsNullOrWhiteSpace(name))
            {
                calls.Add(CreateCall(id, name, arguments, invalid));
            }
        }

        return calls;
    }

    /// <summary>A function call as the rest of the gateway reads it: arguments by name, values as <see cref="JsonElement"/>.</summary>
    public static FunctionCallContent CreateCall(string? id, string name, IDictionary<string, object?>? arguments, Exception? invalid) =>
        new(id ?? string.Empty, name, arguments) { Exception = invalid };

    /// <summary>
    /// Reads <c>arguments</c> at the current token: a JSON string holding a JSON object (the protocol), or an object
    /// (what some compatible servers send). Arguments that are not a JSON object give <see langword="null"/> and
    /// <paramref name="invalid"/>, as the M.E.AI adapter does, rather than failing the whole answer.
    /// </summary>
    private static Dictionary<string, object?>? ReadArguments(ref Utf8JsonReader reader, out Exception? invalid)
    {
        invalid = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.StartObject:
                return ToDictionary(JsonElement.ParseValue(ref reader));
            case JsonTokenType.String when !reader.ValueIsEscaped:
                return ParseArguments(reader.ValueSpan, out invalid);
            case JsonTokenType.String:
                var rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                try
                {
                    var length = reader.CopyString(rented);
                    return ParseArguments(rented.AsSpan(0, length), out invalid);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }

            default:
                reader.Skip();
                invalid = InvalidArguments(inner: null);
                return null;
        }
    }

    /// <summary>Parses function-call arguments from their UTF-8 JSON text; empty text is no arguments.</summary>
    public static Dictionary<string, object?>? ParseArguments(ReadOnlySpan<byte> utf8, out Exception? invalid)
    {
        invalid = null;
        if (utf8.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new Dictionary<string, object?>(StringComparer.Ordinal);
        }

        try
        {
            var reader = new Utf8JsonReader(utf8);
            var root = JsonElement.ParseValue(ref reader);
            if (root.ValueKind == JsonValueKind.Object && !reader.Read())
            {
                return ToDictionary(root);
            }

            invalid = InvalidArguments(inner: null);
        }
        catch (JsonException ex)
        {
            invalid = InvalidArguments(ex);
        }

        return null;
    }

    private static Dictionary<string, object?> ToDictionary(JsonElement root)
    {
        // The parsed element owns its copy of the bytes, so its properties stay valid without a document to dispose.
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            arguments[property.Name] = property.Value;
        }

        return arguments;
    }

    private static InvalidOperationException InvalidArguments(JsonException? inner) =>
        new("The upstream sent function call arguments that are not a JSON object.", inner);

    /// <summary>Reads <c>usage</c> (or <see langword="null"/>) at the property name.</summary>
    public static UsageDetails? ReadUsage(ref Utf8JsonReader reader)
    {
        if (!ReadUnlessNull(ref reader, JsonTokenType.StartObject, "usage is not an object"))
        {
            return null;
        }

        var usage = new UsageDetails();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                usage.InputTokenCount = ReadInt64(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                usage.OutputTokenCount = ReadInt64(ref reader);
            }
            else if (reader.ValueTextEquals("total_tokens"u8))
            {
                usage.TotalTokenCount = ReadInt64(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                usage.CachedInputTokenCount = ReadDetail(ref reader, "cached_tokens"u8) ?? usage.CachedInputTokenCount;
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8))
            {
                usage.ReasoningTokenCount = ReadDetail(ref reader, "reasoning_tokens"u8) ?? usage.ReasoningTokenCount;
            }
            else
            {
                reader.Skip();
            }
        }

        return usage;
    }

    private static long? ReadDetail(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (!ReadUnlessNull(ref reader, JsonTokenType.StartObject, "a usage detail is not an object"))
        {
            return null;
        }

        long? value = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals(name))
            {
                value = ReadInt64(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return value;
    }

    /// <summary>Reads <c>finish_reason</c> at the property name; the usual values come back as the shared instances.</summary>
    public static ChatFinishReason? ReadFinishReason(ref Utf8JsonReader reader)
    {
        if (!ReadUnlessNull(ref reader, JsonTokenType.String, "finish_reason is not a string"))
        {
            return null;
        }

        return reader.ValueTextEquals("stop"u8) ? ChatFinishReason.Stop
            : reader.ValueTextEquals("tool_calls"u8) || reader.ValueTextEquals("function_call"u8) ? ChatFinishReason.ToolCalls
            : reader.ValueTextEquals("length"u8) ? ChatFinishReason.Length
            : reader.ValueTextEquals("content_filter"u8) ? ChatFinishReason.ContentFilter
            : reader.ValueSpan.Length == 0 ? null
            : new ChatFinishReason(reader.GetString()!);
    }

    /// <summary>Reads <c>role</c> at the property name.</summary>
    public static ChatRole? ReadRole(ref Utf8JsonReader reader)
    {
        if (!ReadUnlessNull(ref reader, JsonTokenType.String, "role is not a string"))
        {
            return null;
        }

        return reader.ValueTextEquals("assistant"u8) ? ChatRole.Assistant
            : reader.ValueSpan.Length == 0 ? null
            : new ChatRole(reader.GetString()!);
    }

    /// <summary>Reads <c>created</c> (Unix seconds) at the property name.</summary>
    public static DateTimeOffset? ReadUnixTime(ref Utf8JsonReader reader) => ReadInt64(ref reader) is { } seconds ? FromUnixSeconds(seconds) : null;

    /// <summary>The instant of a Unix time in seconds, or <see langword="null"/> when it is out of range.</summary>
    public static DateTimeOffset? FromUnixSeconds(long seconds) =>
        seconds >= DateTimeOffset.MinValue.ToUnixTimeSeconds() && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>Reads a string or <see langword="null"/> at the property name.</summary>
    public static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw Malformed("a text field is not a string"),
        };
    }

    /// <summary>Reads an integer (a whole-valued number is accepted) or <see langword="null"/> at the property name.</summary>
    public static long? ReadInt64(ref Utf8JsonReader reader)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number when reader.TryGetInt64(out var value):
                return value;
            case JsonTokenType.Number when reader.TryGetDouble(out var number) && double.IsFinite(number) && Math.Abs(number) < 9e15:
                return (long)number;
            default:
                throw Malformed("a number field is not a number");
        }
    }

    /// <summary>Moves to the next property of the current object: <see langword="false"/> at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw Malformed("truncated");
        }

        return reader.TokenType == JsonTokenType.PropertyName;
    }

    /// <summary>Reads the value of the current property and checks that it starts with <paramref name="token"/>.</summary>
    public static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (!reader.Read() || reader.TokenType != token)
        {
            throw Malformed("unexpected JSON type");
        }
    }

    /// <summary>
    /// Reads the value of the current property: <see langword="false"/> when it is <c>null</c>, <see langword="true"/>
    /// when it starts with <paramref name="token"/>, and a reading failure with <paramref name="reason"/> otherwise.
    /// </summary>
    public static bool ReadUnlessNull(ref Utf8JsonReader reader, JsonTokenType token, string reason)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return false;
        }

        if (reader.TokenType != token)
        {
            throw Malformed(reason);
        }

        return true;
    }

    /// <summary>A reading failure; the reason is a fixed phrase, never text from the body.</summary>
    public static JsonException Malformed(string reason) => new(reason);
}
