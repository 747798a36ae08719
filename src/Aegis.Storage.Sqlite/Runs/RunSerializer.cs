using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Aegis.Storage.Sqlite.Serialization;
using Microsoft.Extensions.AI;

namespace Aegis.Storage.Sqlite.Runs;

/// <summary>
/// Writes and reads the JSON payload of a run row: every field of <see cref="RunRecord"/> that has no column of its
/// own (id, route, principal, status and the timestamps do), except the checkpoint's mask map (encrypted in its own column).
/// Chat messages and options use <see cref="AIJsonUtilities.DefaultOptions"/>, so any content type
/// Microsoft.Extensions.AI can serialize round-trips. Of <see cref="ChatOptions.Tools"/>, which that serializer
/// leaves out, the function declarations are kept (name, description, parameter schema, strict flag) and come back
/// as <see cref="DeclaredFunction"/>s, so a resumed run offers the model the tools it was asked with; other tools
/// (hosted tools, code the process holds) are not persisted.
/// </summary>
internal static class RunSerializer
{
    private static readonly JsonTypeInfo<ChatMessage> MessageInfo = (JsonTypeInfo<ChatMessage>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage));
    private static readonly JsonTypeInfo<ChatOptions> OptionsInfo = (JsonTypeInfo<ChatOptions>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatOptions));

    /// <summary>
    /// The payload as UTF-8 JSON in a buffer rented from <see cref="ArrayPool{T}.Shared"/> (return it
    /// once written); bound as is, without a string in between.
    /// </summary>
    public static PooledUtf8 Write(RunRecord run)
    {
        // One buffer and writer per thread: serializing allocates only the pooled copy handed to the writer.
        var scratch = JsonScratch.Rent();
        WritePayload(scratch.Writer, run);
        scratch.Writer.Flush();
        var result = PooledUtf8.Copy(scratch.WrittenSpan);
        scratch.Release();
        return result;
    }

    private static void WritePayload(Utf8JsonWriter writer, RunRecord run)
    {
        // Fields at their defaults (null, empty, false) are left out, and the timestamps live in their columns only:
        // a row is read back the same, and two rows of a ~1 KB conversation fit a 4 KB page instead of one.
        writer.WriteStartObject();
        WriteStringUnlessNull(writer, "team", run.Team);
        if (run.Approvers.Count > 0)
        {
            WriteStrings(writer, "approvers", run.Approvers);
        }

        WriteMessages(writer, "messages", run.Messages);
        WriteStringUnlessNull(writer, "response", run.Response);
        WriteStringUnlessNull(writer, "reason", run.Reason);
        WriteStringUnlessNull(writer, "error_code", run.ErrorCode);
        writer.WriteNumber("prompt_tokens", run.Usage.PromptTokens);
        writer.WriteNumber("completion_tokens", run.Usage.CompletionTokens);
        if (run.Background)
        {
            writer.WriteBoolean("background", true);
        }

        if (run.Checkpoint is { } checkpoint)
        {
            writer.WriteStartObject("checkpoint");
            writer.WriteString("stage", checkpoint.Stage.ToWire());
            writer.WriteNumber("next_guard_index", checkpoint.NextGuardIndex);
            WriteMessages(writer, "content", checkpoint.Content);
            WriteMessages(writer, "messages", checkpoint.Messages);
            WriteMap(writer, "labels", checkpoint.Labels);
            writer.WriteString("provider", checkpoint.Provider);
            writer.WriteString("finish_reason", checkpoint.FinishReason);
            if (checkpoint.Options is { } options)
            {
                writer.WritePropertyName("options");
                JsonSerializer.Serialize(writer, options, OptionsInfo);
                WriteTools(writer, options.Tools);
            }

            WriteMap(writer, "principal_labels", checkpoint.PrincipalLabels);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// A run from its columns and payload. The timestamps are the columns' (UTC ticks); rows written before the payload
    /// left them out carry them in the payload too, where they are ignored.
    /// </summary>
    public static RunRecord Read(string id, string route, string principalId, RunStatus status, DateTimeOffset createdAt, DateTimeOffset updatedAt, string payload, IReadOnlyList<MaskMapEntry>? maskMap)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        RunCheckpoint? checkpoint = null;
        if (root.TryGetProperty("checkpoint", out var c) && c.ValueKind == JsonValueKind.Object)
        {
            if (!GuardStageNames.TryParse(c.GetProperty("stage").GetString(), out var stage))
            {
                throw new JsonException($"run {id}: unknown checkpoint stage");
            }

            checkpoint = new RunCheckpoint
            {
                Stage = stage,
                NextGuardIndex = c.GetProperty("next_guard_index").GetInt32(),
                Content = ReadMessages(c, "content"),
                Messages = ReadMessages(c, "messages"),
                Labels = ReadMap(c, "labels"),
                MaskMap = maskMap ?? [],
                Provider = ReadString(c, "provider"),
                FinishReason = ReadString(c, "finish_reason"),
                Options = ReadOptions(c),
                PrincipalLabels = ReadMap(c, "principal_labels"),
            };
        }

        return new RunRecord
        {
            Id = id,
            Route = route,
            PrincipalId = principalId,
            Status = status,
            Team = ReadString(root, "team"),
            Approvers = root.TryGetProperty("approvers", out var a) && a.ValueKind == JsonValueKind.Array ? a.Deserialize(SqliteJsonContext.Default.StringArray) ?? [] : [],
            Messages = ReadMessages(root, "messages"),
            Response = ReadString(root, "response"),
            Reason = ReadString(root, "reason"),
            ErrorCode = ReadString(root, "error_code"),
            Usage = new RunUsage(root.GetProperty("prompt_tokens").GetInt64(), root.GetProperty("completion_tokens").GetInt64()),
            CreatedAt = createdAt,
            UpdatedAt = updatedAt,
            Background = root.TryGetProperty("background", out var b) && b.ValueKind == JsonValueKind.True,
            Checkpoint = checkpoint,
        };
    }

    public static byte[] WriteMaskMap(IReadOnlyList<MaskMapEntry> entries)
    {
        var array = new MaskMapEntry[entries.Count];
        for (var i = 0; i < array.Length; i++)
        {
            array[i] = entries[i];
        }

        return JsonSerializer.SerializeToUtf8Bytes(array, SqliteJsonContext.Default.MaskMapEntryArray);
    }

    public static MaskMapEntry[] ReadMaskMap(byte[] json) =>
        JsonSerializer.Deserialize(json, SqliteJsonContext.Default.MaskMapEntryArray) ?? [];

    private static void WriteTools(Utf8JsonWriter writer, IList<AITool>? tools)
    {
        if (tools is not { Count: > 0 })
        {
            return;
        }

        writer.WriteStartArray("tools");
        foreach (var tool in tools)
        {
            if (tool is not AIFunctionDeclaration function)
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("name", function.Name);
            writer.WriteString("description", function.Description);
            writer.WritePropertyName("schema");
            function.JsonSchema.WriteTo(writer);
            if (OpenAIConventions.GetStrict(function.AdditionalProperties) is { } isStrict)
            {
                writer.WriteBoolean("strict", isStrict);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static ChatOptions? ReadOptions(JsonElement checkpoint)
    {
        if (!checkpoint.TryGetProperty("options", out var o) || o.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var options = o.Deserialize(OptionsInfo);
        if (options is not null && checkpoint.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            var list = new List<AITool>(tools.GetArrayLength());
            foreach (var tool in tools.EnumerateArray())
            {
                bool? strict = tool.TryGetProperty("strict", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False ? s.GetBoolean() : null;
                list.Add(new DeclaredFunction(tool.GetProperty("name").GetString()!, ReadString(tool, "description"), tool.GetProperty("schema").Clone(), strict));
            }

            options.Tools = list;
        }

        if (options?.AdditionalProperties is { Count: > 0 } properties)
        {
            RestoreScalars(properties);
        }

        return options;
    }

    /// <summary>
    /// JSON gives the options' <c>AdditionalProperties</c> back as <see cref="JsonElement"/>s, but the provider reads its
    /// settings there by type (<see cref="OpenAIConventions.StrictJsonSchema"/> a bool, <see cref="OpenAIConventions.User"/>
    /// a string): booleans and strings get their types back; numbers, objects and arrays stay JSON.
    /// </summary>
    private static void RestoreScalars(AdditionalPropertiesDictionary properties)
    {
        List<KeyValuePair<string, object?>>? restored = null;
        foreach (var (key, value) in properties)
        {
            object? scalar = value is JsonElement element
                ? element.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.String => element.GetString(),
                    _ => null,
                }
                : null;
            if (scalar is not null)
            {
                (restored ??= []).Add(new(key, scalar));
            }
        }

        foreach (var (key, scalar) in restored ?? [])
        {
            properties[key] = scalar;
        }
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void WriteStringUnlessNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteMessages(Utf8JsonWriter writer, string name, IReadOnlyList<ChatMessage> messages)
    {
        // Indexed loops: an interface's enumerator is an allocation (these run for every stored run).
        writer.WriteStartArray(name);
        for (var i = 0; i < messages.Count; i++)
        {
            WriteMessage(writer, messages[i]);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// One message as <see cref="AIJsonUtilities.DefaultOptions"/> writes it. A message of text only, with nothing
    /// else set (what a chat request and a model's answer are), is written here, byte for byte the same (a test
    /// compares): the serializer would allocate a stack of frames for each message. Any other message goes to the serializer.
    /// </summary>
    internal static void WriteMessage(Utf8JsonWriter writer, ChatMessage message)
    {
        if (!IsPlainText(message))
        {
            JsonSerializer.Serialize(writer, message, MessageInfo);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("role", message.Role.Value);
        writer.WriteStartArray("contents");
        var contents = message.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            writer.WriteStartObject();
            writer.WriteString("$type", "text");
            writer.WriteString("text", ((TextContent)contents[i]).Text);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static bool IsPlainText(ChatMessage message)
    {
        if (message.AuthorName is not null || message.CreatedAt is not null || message.MessageId is not null || message.AdditionalProperties is not null)
        {
            return false;
        }

        var contents = message.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            // Exactly TextContent: a derived type is written with its own discriminator and members.
            var content = contents[i];
            if (content.GetType() != typeof(TextContent) || content.AdditionalProperties is not null || content.Annotations is not null)
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteMap(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, string> map)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    private static List<ChatMessage> ReadMessages(JsonElement parent, string name)
    {
        var list = new List<ChatMessage>();
        if (parent.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                if (item.Deserialize(MessageInfo) is { } message)
                {
                    list.Add(message);
                }
            }
        }

        return list;
    }

    private static Dictionary<string, string> ReadMap(JsonElement parent, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parent.TryGetProperty(name, out var obj) && obj.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in obj.EnumerateObject())
            {
                map[property.Name] = property.Value.GetString() ?? string.Empty;
            }
        }

        return map;
    }

    private static string? ReadString(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
