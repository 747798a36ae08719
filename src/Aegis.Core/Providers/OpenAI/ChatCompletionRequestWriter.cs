using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Aegis.Pooling;
using Microsoft.Extensions.AI;

namespace Aegis.Providers.OpenAI;

/// <summary>
/// Writes a <c>POST /chat/completions</c> body straight from Microsoft.Extensions.AI messages and options, with no
/// intermediate model: one pass over the messages into a <see cref="Utf8JsonWriter"/>.
/// </summary>
/// <remarks>
/// What is written, and what is not, is listed in <c>docs/providers.md</c> ("What the client sends"). Content the
/// chat-completions API has no place for (audio, files, hosted tools, ...) is left out, as the Microsoft.Extensions.AI
/// OpenAI adapter does.
/// </remarks>
internal static class ChatCompletionRequestWriter
{
    private static readonly ChatRole Developer = new("developer");
    private static readonly JsonTypeInfo ObjectTypeInfo = AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(object));

    /// <summary>JSON as the upstream reads it: only what JSON requires is escaped, so non-ASCII text travels as UTF-8.</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // One writer per thread, pointed at each request's buffer in turn (writing a request is synchronous).
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Writes the whole request body.</summary>
    /// <param name="output">Where the body goes; everything is flushed into it on return.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The call's options, or <see langword="null"/>.</param>
    /// <param name="defaultModel">The provider's <c>model</c>, used when <see cref="ChatOptions.ModelId"/> is not set.</param>
    /// <param name="maxTokens">Which field carries <see cref="ChatOptions.MaxOutputTokens"/>.</param>
    /// <param name="stream">Whether to ask for an event stream (with usage).</param>
    public static void Write(IBufferWriter<byte> output, IEnumerable<ChatMessage> messages, ChatOptions? options, string defaultModel, OpenAIMaxTokensField maxTokens, bool stream)
    {
        var writer = t_writer ??= new Utf8JsonWriter(output, WriterOptions);
        writer.Reset(output); // also clears whatever state a failed write left
        JsonScratch? scratch = null;
        try
        {
            writer.WriteStartObject();
            writer.WriteString("model"u8, string.IsNullOrEmpty(options?.ModelId) ? defaultModel : options.ModelId);
            WriteMessages(writer, messages, options?.Instructions, ref scratch);
            if (options is not null)
            {
                WriteOptions(writer, options, maxTokens);
            }

            if (stream)
            {
                writer.WriteBoolean("stream"u8, true);
                writer.WriteStartObject("stream_options"u8);
                writer.WriteBoolean("include_usage"u8, true);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.Flush();
        }
        finally
        {
            scratch?.Dispose();
        }
    }

    private static void WriteMessages(Utf8JsonWriter writer, IEnumerable<ChatMessage> messages, string? instructions, ref JsonScratch? scratch)
    {
        writer.WriteStartArray("messages"u8);
        if (!string.IsNullOrEmpty(instructions))
        {
            writer.WriteStartObject();
            writer.WriteString("role"u8, "system"u8);
            writer.WriteString("content"u8, instructions);
            writer.WriteEndObject();
        }

        if (messages is IList<ChatMessage> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                WriteMessage(writer, list[i], ref scratch);
            }
        }
        else
        {
            foreach (var message in messages)
            {
                WriteMessage(writer, message, ref scratch);
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteMessage(Utf8JsonWriter writer, ChatMessage message, ref JsonScratch? scratch)
    {
        ArgumentNullException.ThrowIfNull(message);
        var role = message.Role;
        if (role == ChatRole.Tool)
        {
            WriteToolResults(writer, message.Contents, ref scratch);
        }
        else if (role == ChatRole.Assistant)
        {
            WriteAssistant(writer, message, ref scratch);
        }
        else
        {
            // system, user, developer, and any other role as it is named (the upstream decides whether it knows it).
            writer.WriteStartObject();
            writer.WriteString("role"u8, role == ChatRole.System ? "system" : role == ChatRole.User ? "user" : role == Developer ? "developer" : role.Value);
            WriteContent(writer, message.Contents, images: true, emptyAsString: true);
            WriteName(writer, message.AuthorName);
            writer.WriteEndObject();
        }
    }

    private static void WriteAssistant(Utf8JsonWriter writer, ChatMessage message, ref JsonScratch? scratch)
    {
        var contents = message.Contents;
        var calls = 0;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is FunctionCallContent)
            {
                calls++;
            }
        }

        writer.WriteStartObject();
        writer.WriteString("role"u8, "assistant"u8);
        WriteContent(writer, contents, images: false, emptyAsString: calls == 0);
        WriteName(writer, message.AuthorName);
        if (calls > 0)
        {
            writer.WriteStartArray("tool_calls"u8);
            for (var i = 0; i < contents.Count; i++)
            {
                if (contents[i] is FunctionCallContent call)
                {
                    writer.WriteStartObject();
                    writer.WriteString("id"u8, call.CallId);
                    writer.WriteString("type"u8, "function"u8);
                    writer.WriteStartObject("function"u8);
                    writer.WriteString("name"u8, call.Name);
                    WriteArguments(writer, call.Arguments, ref scratch);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteToolResults(Utf8JsonWriter writer, IList<AIContent> contents, ref JsonScratch? scratch)
    {
        // One wire message per result, each naming the call it answers.
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is not FunctionResultContent result)
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("role"u8, "tool"u8);
            writer.WriteString("tool_call_id"u8, result.CallId);
            switch (result.Result)
            {
                case null:
                    writer.WriteString("content"u8, ""u8);
                    break;
                case string text:
                    writer.WriteString("content"u8, text);
                    break;
                case var value:
                    // A structured result travels as its JSON text.
                    scratch ??= new JsonScratch();
                    var json = scratch.Begin();
                    if (TryWriteValue(json, value))
                    {
                        writer.WriteString("content"u8, scratch.End());
                    }
                    else
                    {
                        writer.WriteString("content"u8, ""u8);
                    }

                    break;
            }

            writer.WriteEndObject();
        }
    }

    /// <summary>
    /// Writes <c>content</c>: a string for a single text part, an array of parts otherwise; with no part, an empty
    /// string when <paramref name="emptyAsString"/>, nothing otherwise.
    /// </summary>
    private static void WriteContent(Utf8JsonWriter writer, IList<AIContent> contents, bool images, bool emptyAsString)
    {
        var parts = 0;
        TextContent? single = null;
        for (var i = 0; i < contents.Count; i++)
        {
            var content = contents[i];
            if (content is TextContent text)
            {
                parts++;
                single = text;
            }
            else if (images && IsImage(content))
            {
                parts++;
            }
        }

        if (parts == 0)
        {
            if (emptyAsString)
            {
                writer.WriteString("content"u8, ""u8);
            }

            return;
        }

        if (parts == 1 && single is not null)
        {
            writer.WriteString("content"u8, single.Text);
            return;
        }

        writer.WriteStartArray("content"u8);
        for (var i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case TextContent text:
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "text"u8);
                    writer.WriteString("text"u8, text.Text);
                    writer.WriteEndObject();
                    break;
                case UriContent uri when images && uri.HasTopLevelMediaType("image"):
                    WriteImage(writer, uri.Uri.IsAbsoluteUri ? uri.Uri.OriginalString : uri.Uri.ToString(), uri);
                    break;
                case DataContent data when images && data.HasTopLevelMediaType("image"):
                    WriteImage(writer, data.Uri, data);
                    break;
            }
        }

        writer.WriteEndArray();
    }

    private static bool IsImage(AIContent content) => content switch
    {
        UriContent uri => uri.HasTopLevelMediaType("image"),
        DataContent data => data.HasTopLevelMediaType("image"),
        _ => false,
    };

    private static void WriteImage(Utf8JsonWriter writer, string url, AIContent content)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "image_url"u8);
        writer.WriteStartObject("image_url"u8);
        writer.WriteString("url"u8, url);
        if (content.AdditionalProperties?.TryGetValue("detail", out string? detail) == true && !string.IsNullOrEmpty(detail))
        {
            writer.WriteString("detail"u8, detail);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteName(Utf8JsonWriter writer, string? name)
    {
        if (!string.IsNullOrEmpty(name))
        {
            writer.WriteString("name"u8, name);
        }
    }

    /// <summary>Writes <c>arguments</c>: the arguments as a JSON object, itself written as a JSON string (<c>{}</c> when there are none).</summary>
    private static void WriteArguments(Utf8JsonWriter writer, IDictionary<string, object?>? arguments, ref JsonScratch? scratch)
    {
        if (arguments is null || arguments.Count == 0)
        {
            writer.WriteString("arguments"u8, "{}"u8);
            return;
        }

        scratch ??= new JsonScratch();
        var json = scratch.Begin();
        json.WriteStartObject();
        foreach (var (name, value) in arguments)
        {
            json.WritePropertyName(name);
            if (!TryWriteValue(json, value))
            {
                throw new NotSupportedException($"The value of function call argument '{name}' cannot be serialised to JSON.");
            }
        }

        json.WriteEndObject();
        writer.WriteString("arguments"u8, scratch.End());
    }

    /// <summary>Writes one value as JSON; <see langword="false"/> (with nothing written) when it cannot be serialised.</summary>
    private static bool TryWriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                return true;
            case string text:
                writer.WriteStringValue(text);
                return true;
            case JsonElement { ValueKind: JsonValueKind.Undefined }:
                writer.WriteNullValue();
                return true;
            case JsonElement element:
                element.WriteTo(writer);
                return true;
            case bool flag:
                writer.WriteBooleanValue(flag);
                return true;
            default:
                // Only ever called on the scratch writer, which is reset before its next use whatever state a failure left.
                try
                {
                    JsonSerializer.Serialize(writer, value, ObjectTypeInfo);
                    return true;
                }
                catch (NotSupportedException)
                {
                    return false;
                }
        }
    }

    private static void WriteOptions(Utf8JsonWriter writer, ChatOptions options, OpenAIMaxTokensField maxTokens)
    {
        if (options.Temperature is { } temperature)
        {
            writer.WriteNumber("temperature"u8, temperature);
        }

        if (options.TopP is { } topP)
        {
            writer.WriteNumber("top_p"u8, topP);
        }

        if (options.MaxOutputTokens is { } max)
        {
            writer.WriteNumber(maxTokens == OpenAIMaxTokensField.MaxCompletionTokens ? "max_completion_tokens"u8 : "max_tokens"u8, max);
        }

        if (options.PresencePenalty is { } presence)
        {
            writer.WriteNumber("presence_penalty"u8, presence);
        }

        if (options.FrequencyPenalty is { } frequency)
        {
            writer.WriteNumber("frequency_penalty"u8, frequency);
        }

        if (options.Seed is { } seed)
        {
            writer.WriteNumber("seed"u8, seed);
        }

        if (options.StopSequences is { Count: > 0 } stop)
        {
            writer.WriteStartArray("stop"u8);
            for (var i = 0; i < stop.Count; i++)
            {
                writer.WriteStringValue(stop[i]);
            }

            writer.WriteEndArray();
        }

        WriteTools(writer, options);
        WriteResponseFormat(writer, options.ResponseFormat, OpenAIConventions.GetStrict(options.AdditionalProperties));
        if (options.AdditionalProperties?.TryGetValue(OpenAIConventions.User, out string? user) == true && !string.IsNullOrEmpty(user))
        {
            writer.WriteString("user"u8, user);
        }
    }

    private static void WriteTools(Utf8JsonWriter writer, ChatOptions options)
    {
        if (options.Tools is not { Count: > 0 } tools)
        {
            return;
        }

        var declared = false;
        var optionsStrict = OpenAIConventions.GetStrict(options.AdditionalProperties); // every tool's default
        for (var i = 0; i < tools.Count; i++)
        {
            if (tools[i] is AIFunctionDeclaration function)
            {
                if (!declared)
                {
                    writer.WriteStartArray("tools"u8);
                    declared = true;
                }

                writer.WriteStartObject();
                writer.WriteString("type"u8, "function"u8);
                writer.WriteStartObject("function"u8);
                writer.WriteString("name"u8, function.Name);
                if (!string.IsNullOrEmpty(function.Description))
                {
                    writer.WriteString("description"u8, function.Description);
                }

                writer.WritePropertyName("parameters"u8);
                var schema = function.JsonSchema;
                if (schema.ValueKind == JsonValueKind.Object)
                {
                    // The caller's schema, as it is: a gateway forwards what the client declared.
                    schema.WriteTo(writer);
                }
                else
                {
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "object"u8);
                    writer.WriteStartObject("properties"u8);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                // As the M.E.AI OpenAI adapter reads it: the declaration's own setting, else the options'.
                if ((OpenAIConventions.GetStrict(function.AdditionalProperties) ?? optionsStrict) is { } strict)
                {
                    writer.WriteBoolean("strict"u8, strict);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }
        }

        if (!declared)
        {
            // Only hosted or other non-function tools: the chat-completions API has no place for them, nor for a tool choice.
            return;
        }

        writer.WriteEndArray();
        switch (options.ToolMode)
        {
            case NoneChatToolMode:
                writer.WriteString("tool_choice"u8, "none"u8);
                break;
            case AutoChatToolMode:
                writer.WriteString("tool_choice"u8, "auto"u8);
                break;
            case RequiredChatToolMode { RequiredFunctionName: { } name }:
                writer.WriteStartObject("tool_choice"u8);
                writer.WriteString("type"u8, "function"u8);
                writer.WriteStartObject("function"u8);
                writer.WriteString("name"u8, name);
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case RequiredChatToolMode:
                writer.WriteString("tool_choice"u8, "required"u8);
                break;
        }

        // parallel_tool_calls is only valid next to tools.
        if (options.AllowMultipleToolCalls is { } parallel)
        {
            writer.WriteBoolean("parallel_tool_calls"u8, parallel);
        }
    }

    private static void WriteResponseFormat(Utf8JsonWriter writer, ChatResponseFormat? format, bool? strict)
    {
        switch (format)
        {
            case ChatResponseFormatText:
                writer.WriteStartObject("response_format"u8);
                writer.WriteString("type"u8, "text"u8);
                writer.WriteEndObject();
                break;
            case ChatResponseFormatJson { Schema: { ValueKind: JsonValueKind.Object } schema } json:
                writer.WriteStartObject("response_format"u8);
                writer.WriteString("type"u8, "json_schema"u8);
                writer.WriteStartObject("json_schema"u8);
                writer.WriteString("name"u8, string.IsNullOrEmpty(json.SchemaName) ? "json_schema" : json.SchemaName);
                if (!string.IsNullOrEmpty(json.SchemaDescription))
                {
                    writer.WriteString("description"u8, json.SchemaDescription);
                }

                writer.WritePropertyName("schema"u8);
                schema.WriteTo(writer);
                if (strict is { } isStrict)
                {
                    writer.WriteBoolean("strict"u8, isStrict);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case ChatResponseFormatJson:
                writer.WriteStartObject("response_format"u8);
                writer.WriteString("type"u8, "json_object"u8);
                writer.WriteEndObject();
                break;
        }
    }

    /// <summary>A second writer for JSON that travels inside a JSON string (tool-call arguments, structured tool results).</summary>
    private sealed class JsonScratch : IDisposable
    {
        private readonly PooledBufferWriter _buffer = new(1024);
        private readonly Utf8JsonWriter _writer;

        public JsonScratch() => _writer = new Utf8JsonWriter(_buffer, WriterOptions);

        public Utf8JsonWriter Begin()
        {
            _buffer.Clear();
            _writer.Reset(_buffer);
            return _writer;
        }

        public ReadOnlySpan<byte> End()
        {
            _writer.Flush();
            return _buffer.WrittenSpan;
        }

        public void Dispose()
        {
            _writer.Dispose();
            _buffer.Dispose();
        }
    }
}
