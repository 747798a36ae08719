using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aegis.Http;

/// <summary>
/// A message's <c>content</c>: almost always a plain string, read straight into <see cref="Text"/>; anything else
/// (an array of content parts, or a value of a wrong type for the mapper to report) is kept as <see cref="Other"/>.
/// The string case thus costs one string, not a <see cref="JsonDocument"/> per message.
/// </summary>
[JsonConverter(typeof(MessageContentConverter))]
internal sealed class MessageContentBody
{
    /// <summary>The content when it is a JSON string.</summary>
    public string? Text { get; init; }

    /// <summary>The content when it is not a string (content parts, or a value of the wrong type).</summary>
    public JsonElement? Other { get; init; }
}

/// <summary>Reads <see cref="MessageContentBody"/>: a string directly, any other value as a <see cref="JsonElement"/>.</summary>
internal sealed class MessageContentConverter : JsonConverter<MessageContentBody>
{
    public override MessageContentBody Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? new MessageContentBody { Text = reader.GetString() }
            : new MessageContentBody { Other = JsonElement.ParseValue(ref reader) };

    public override void Write(Utf8JsonWriter writer, MessageContentBody value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Text is not null)
        {
            writer.WriteStringValue(value.Text);
        }
        else if (value.Other is { } other)
        {
            other.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
