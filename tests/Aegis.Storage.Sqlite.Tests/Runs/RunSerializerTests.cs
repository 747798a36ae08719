using System.Text.Encodings.Web;
using System.Text.Json;
using Aegis.Storage.Sqlite.Runs;
using Microsoft.Extensions.AI;

namespace Aegis.Storage.Sqlite.Tests.Runs;

public sealed class RunSerializerTests
{
    public static TheoryData<string> Messages => [.. Cases.Keys];

    private static readonly Dictionary<string, ChatMessage> Cases = new()
    {
        ["system text"] = new ChatMessage(ChatRole.System, "You are a helpful assistant."),
        ["user text with quotes, <placeholders>, accents and a newline"] = new ChatMessage(ChatRole.User, "write \"to\" <EMAIL_ADDRESS_1> — café\nthanks"),
        ["assistant, two texts"] = new ChatMessage(ChatRole.Assistant, [new TextContent("one"), new TextContent("two")]),
        ["custom role"] = new ChatMessage(new ChatRole("critic"), "c"),
        ["no contents"] = new ChatMessage(ChatRole.User, (string?)null),
        ["author and id"] = new ChatMessage(ChatRole.Assistant, "a") { AuthorName = "bob", MessageId = "m1" },
        ["created at"] = new ChatMessage(ChatRole.User, "d") { CreatedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero) },
        ["empty additional properties"] = new ChatMessage(ChatRole.User, "e") { AdditionalProperties = [] },
        ["text with additional properties"] = new ChatMessage(ChatRole.User, [new TextContent("f") { AdditionalProperties = new() { ["k"] = "v" } }]),
        ["tool call"] = new ChatMessage(ChatRole.Assistant, [new TextContent("g"), new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" })]),
        ["tool result"] = new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "12 °C")]),
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_message_is_written_byte_for_byte_as_the_serializer_writes_it_and_reads_back(string name)
    {
        var message = Cases[name];
        var info = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<ChatMessage>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage));

        var expected = Write(w => JsonSerializer.Serialize(w, message, info));
        var actual = Write(w => RunSerializer.WriteMessage(w, message));

        Assert.Equal(expected, actual);
        var read = JsonSerializer.Deserialize(actual, info)!;
        Assert.Equal(message.Role, read.Role);
        Assert.Equal(message.Text, read.Text);
        Assert.Equal(message.Contents.Select(c => c.GetType()), read.Contents.Select(c => c.GetType()));
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
