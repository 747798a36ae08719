using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Aegis.Http;

/// <summary>
/// Turns wire messages (string or content-part content, assistant tool calls, tool results) into
/// Microsoft.Extensions.AI messages, with coded errors that name the offending field.
/// </summary>
internal static class ChatMessageMapper
{
    private static readonly ChatRole Developer = new("developer");

    public static List<ChatMessage> ToChatMessages(List<MessageBody?>? messages)
    {
        if (messages is null)
        {
            throw new AegisException(AegisErrors.RequestMissingField, "messages");
        }

        var result = new List<ChatMessage>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var body = messages[i] ?? throw new AegisException(AegisErrors.RequestInvalidField, Field(i, "") + ": must be an object");
            result.Add(ToChatMessage(body, i));
        }

        return result;
    }

    private static ChatMessage ToChatMessage(MessageBody body, int index)
    {
        if (string.IsNullOrEmpty(body.Role))
        {
            throw new AegisException(AegisErrors.RequestMissingField, Field(index, ".role"));
        }

        var role = RoleOf(body.Role);
        var contents = new List<AIContent>();
        if (role == ChatRole.Tool)
        {
            if (string.IsNullOrEmpty(body.ToolCallId))
            {
                throw new AegisException(AegisErrors.RequestMissingField, Field(index, ".tool_call_id"));
            }

            contents.Add(new FunctionResultContent(body.ToolCallId, TextOf(body.Content, index)));
        }
        else
        {
            AddContent(contents, body.Content, index);
        }

        if (body.ToolCalls is { Count: > 0 } calls)
        {
            for (var j = 0; j < calls.Count; j++)
            {
                contents.Add(ToFunctionCall(calls[j], index, j));
            }
        }

        return new ChatMessage(role, contents) { AuthorName = string.IsNullOrEmpty(body.Name) ? null : body.Name };
    }

    private static ChatRole RoleOf(string role) => role switch
    {
        "user" => ChatRole.User,
        "system" => ChatRole.System,
        "assistant" => ChatRole.Assistant,
        "tool" => ChatRole.Tool,
        "developer" => Developer,
        _ => new ChatRole(role),
    };

    private static void AddContent(List<AIContent> contents, MessageContentBody? content, int index)
    {
        if (content?.Text is { } plain)
        {
            if (plain.Length > 0)
            {
                contents.Add(new TextContent(plain));
            }

            return;
        }

        // A string is always Text (MessageContentConverter), and a JSON null never reaches the converter.
        if (content?.Other is not { } element)
        {
            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Array:
                var j = 0;
                foreach (var part in element.EnumerateArray())
                {
                    AddPart(contents, part, index, j++);
                }

                return;
            default:
                throw new AegisException(AegisErrors.RequestInvalidField, Field(index, ".content") + ": must be a string or an array of content parts");
        }
    }

    private static void AddPart(List<AIContent> contents, JsonElement part, int index, int j)
    {
        var field = Field(index, ".content[" + j.ToString(CultureInfo.InvariantCulture) + "]");
        if (part.ValueKind != JsonValueKind.Object)
        {
            throw new AegisException(AegisErrors.RequestInvalidField, field + ": must be an object");
        }

        if (!part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            throw new AegisException(AegisErrors.RequestMissingField, field + ".type");
        }

        switch (type.GetString())
        {
            case "text":
                if (!part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                {
                    throw new AegisException(AegisErrors.RequestMissingField, field + ".text");
                }

                contents.Add(new TextContent(text.GetString()));
                return;
            case "image_url":
                if (!part.TryGetProperty("image_url", out var image) || image.ValueKind != JsonValueKind.Object
                    || !image.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String)
                {
                    throw new AegisException(AegisErrors.RequestMissingField, field + ".image_url.url");
                }

                var value = url.GetString()!;
                if (value.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
                {
                    try
                    {
                        contents.Add(new DataContent(value));
                    }
                    catch (FormatException)
                    {
                        throw new AegisException(AegisErrors.RequestInvalidField, field + ".image_url.url: not a valid data URI");
                    }
                }
                else if (Uri.TryCreate(value, UriKind.Absolute, out var uri))
                {
                    contents.Add(new UriContent(uri, "image/*"));
                }
                else
                {
                    throw new AegisException(AegisErrors.RequestInvalidField, field + ".image_url.url: not an absolute URL or data URI");
                }

                return;
            default:
                throw new AegisException(AegisErrors.RequestInvalidField, field + ".type: only text and image_url parts are supported");
        }
    }

    private static string TextOf(MessageContentBody? content, int index)
    {
        if (content?.Text is { } plain)
        {
            return plain;
        }

        var parts = new List<AIContent>();
        AddContent(parts, content, index);
        if (parts.Count == 1 && parts[0] is TextContent single)
        {
            return single.Text;
        }

        return new ChatMessage(ChatRole.Tool, parts).Text;
    }

    private static FunctionCallContent ToFunctionCall(ToolCallBody? call, int index, int j)
    {
        var field = Field(index, ".tool_calls[" + j.ToString(CultureInfo.InvariantCulture) + "]");
        if (call is null)
        {
            throw new AegisException(AegisErrors.RequestInvalidField, field + ": must be an object");
        }

        if (string.IsNullOrEmpty(call.Id))
        {
            throw new AegisException(AegisErrors.RequestMissingField, field + ".id");
        }

        if (call.Type is not null && call.Type != "function")
        {
            throw new AegisException(AegisErrors.RequestInvalidField, field + ".type: only function tool calls are supported");
        }

        if (call.Function is null || string.IsNullOrEmpty(call.Function.Name))
        {
            throw new AegisException(AegisErrors.RequestMissingField, field + ".function.name");
        }

        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(call.Function.Arguments))
        {
            try
            {
                using var document = JsonDocument.Parse(call.Function.Arguments);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new AegisException(AegisErrors.RequestInvalidField, field + ".function.arguments: must be a JSON object");
                }

                foreach (var property in document.RootElement.EnumerateObject())
                {
                    arguments[property.Name] = property.Value.Clone();
                }
            }
            catch (JsonException)
            {
                throw new AegisException(AegisErrors.RequestInvalidField, field + ".function.arguments: not valid JSON");
            }
        }

        return new FunctionCallContent(call.Id, call.Function.Name, arguments);
    }

    private static string Field(int index, string suffix) => "messages[" + index.ToString(CultureInfo.InvariantCulture) + "]" + suffix;
}
