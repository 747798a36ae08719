using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Aegis.Http;

/// <summary>Maps the standard OpenAI request fields onto <see cref="ChatOptions"/>.</summary>
internal static class ChatOptionsMapper
{
    private static readonly JsonElement EmptySchema = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    public static ChatOptions? ToChatOptions(ChatCompletionRequestBody body)
    {
        if (body.N is { } n && n != 1)
        {
            throw new AegisException(AegisErrors.RequestInvalidField, "n: only 1 is supported");
        }

        var maxTokens = body.MaxCompletionTokens ?? body.MaxTokens;
        if (maxTokens is <= 0)
        {
            throw new AegisException(AegisErrors.RequestInvalidField, (body.MaxCompletionTokens is null ? "max_tokens" : "max_completion_tokens") + ": must be positive");
        }

        var options = new ChatOptions
        {
            Temperature = body.Temperature,
            TopP = body.TopP,
            MaxOutputTokens = maxTokens,
            PresencePenalty = body.PresencePenalty,
            FrequencyPenalty = body.FrequencyPenalty,
            Seed = body.Seed,
            AllowMultipleToolCalls = body.ParallelToolCalls,
            StopSequences = StopOf(body.Stop),
            ResponseFormat = ResponseFormatOf(body.ResponseFormat, out var strictSchema),
        };

        if (strictSchema is { } strict)
        {
            (options.AdditionalProperties ??= [])[OpenAIConventions.StrictJsonSchema] = strict;
        }

        if (body.Tools is { Count: > 0 } tools)
        {
            // ChatOptions' strict setting is also every tool's default (as the M.E.AI OpenAI adapter reads it): a
            // strict response format must not make the tools the client left unmarked strict too.
            bool? unmarked = strictSchema == true ? false : null;
            var list = new List<AITool>(tools.Count);
            for (var i = 0; i < tools.Count; i++)
            {
                list.Add(ToolOf(tools[i], i, unmarked));
            }

            options.Tools = list;
        }

        options.ToolMode = ToolModeOf(body.ToolChoice);
        if (!string.IsNullOrEmpty(body.User))
        {
            (options.AdditionalProperties ??= [])[OpenAIConventions.User] = body.User;
        }

        return options;
    }

    private static List<string>? StopOf(JsonElement? stop)
    {
        if (stop is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            return [element.GetString()!];
        }

        if (element.ValueKind == JsonValueKind.Array)
        {
            var list = new List<string>();
            foreach (var item in element.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    throw new AegisException(AegisErrors.RequestInvalidField, "stop: must be a string or an array of strings");
                }

                list.Add(item.GetString()!);
            }

            return list;
        }

        throw new AegisException(AegisErrors.RequestInvalidField, "stop: must be a string or an array of strings");
    }

    private static DeclaredFunction ToolOf(ToolBody? tool, int index, bool? unmarked)
    {
        var field = "tools[" + index.ToString(CultureInfo.InvariantCulture) + "]";
        if (tool is null)
        {
            throw new AegisException(AegisErrors.RequestInvalidField, field + ": must be an object");
        }

        if (tool.Type is not null && tool.Type != "function")
        {
            throw new AegisException(AegisErrors.RequestInvalidField, field + ".type: only function tools are supported");
        }

        if (tool.Function is null || string.IsNullOrEmpty(tool.Function.Name))
        {
            throw new AegisException(AegisErrors.RequestMissingField, field + ".function.name");
        }

        var schema = tool.Function.Parameters is { ValueKind: JsonValueKind.Object } parameters ? parameters : EmptySchema;
        return new DeclaredFunction(tool.Function.Name, tool.Function.Description, schema, tool.Function.Strict ?? unmarked);
    }

    private static ChatToolMode? ToolModeOf(JsonElement? choice)
    {
        if (choice is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            return element.GetString() switch
            {
                "auto" => ChatToolMode.Auto,
                "none" => ChatToolMode.None,
                "required" => ChatToolMode.RequireAny,
                _ => throw new AegisException(AegisErrors.RequestInvalidField, "tool_choice: must be auto, none, required or a function choice"),
            };
        }

        if (element.ValueKind == JsonValueKind.Object
            && element.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object
            && function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
        {
            return ChatToolMode.RequireSpecific(name.GetString()!);
        }

        throw new AegisException(AegisErrors.RequestInvalidField, "tool_choice: must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":...}}");
    }

    /// <summary>The response format; <paramref name="strict"/> is <c>json_schema.strict</c> when the request set it.</summary>
    private static ChatResponseFormat? ResponseFormatOf(JsonElement? format, out bool? strict)
    {
        strict = null;
        if (format is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            throw new AegisException(AegisErrors.RequestInvalidField, "response_format.type: must be text, json_object or json_schema");
        }

        switch (type.GetString())
        {
            case "text":
                return ChatResponseFormat.Text;
            case "json_object":
                return ChatResponseFormat.Json;
            case "json_schema":
                if (!element.TryGetProperty("json_schema", out var spec) || spec.ValueKind != JsonValueKind.Object
                    || !spec.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                {
                    throw new AegisException(AegisErrors.RequestMissingField, "response_format.json_schema.schema");
                }

                var name = spec.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                var description = spec.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                if (spec.TryGetProperty("strict", out var s))
                {
                    strict = s.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        JsonValueKind.Null => null,
                        _ => throw new AegisException(AegisErrors.RequestInvalidField, "response_format.json_schema.strict: must be true or false"),
                    };
                }

                return ChatResponseFormat.ForJsonSchema(schema.Clone(), name, description);
            default:
                throw new AegisException(AegisErrors.RequestInvalidField, "response_format.type: must be text, json_object or json_schema");
        }
    }
}
