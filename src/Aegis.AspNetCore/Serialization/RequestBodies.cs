using System.Text.Json;

namespace Aegis.Http;

/// <summary>A chat message as both APIs accept it (OpenAI shape; the native API uses role and content).</summary>
internal sealed class MessageBody
{
    public string? Role { get; set; }

    /// <summary>A string, an array of content parts, or null.</summary>
    public MessageContentBody? Content { get; set; }

    public string? Name { get; set; }

    public List<ToolCallBody?>? ToolCalls { get; set; }

    public string? ToolCallId { get; set; }
}

/// <summary>An assistant message's tool call.</summary>
internal sealed class ToolCallBody
{
    public string? Id { get; set; }

    public string? Type { get; set; }

    public FunctionCallBody? Function { get; set; }
}

/// <summary>A tool call's function and its arguments as a JSON string.</summary>
internal sealed class FunctionCallBody
{
    public string? Name { get; set; }

    public string? Arguments { get; set; }
}

/// <summary><c>POST /v1/runs</c>.</summary>
internal sealed class RunRequestBody
{
    public List<MessageBody?>? Messages { get; set; }

    public string? Route { get; set; }

    public bool? Background { get; set; }

    public List<string?>? Approvers { get; set; }
}

/// <summary><c>POST /v1/runs/{run_id}/resume</c>.</summary>
internal sealed class ResumeRequestBody
{
    public string? Decision { get; set; }
}

/// <summary><c>POST /v1/chat/completions</c>: the standard fields; unknown ones are ignored.</summary>
internal sealed class ChatCompletionRequestBody
{
    public string? Model { get; set; }

    public List<MessageBody?>? Messages { get; set; }

    public float? Temperature { get; set; }

    public float? TopP { get; set; }

    public int? MaxTokens { get; set; }

    public int? MaxCompletionTokens { get; set; }

    /// <summary>A string or an array of strings.</summary>
    public JsonElement? Stop { get; set; }

    public List<ToolBody?>? Tools { get; set; }

    /// <summary><c>"auto"</c>, <c>"none"</c>, <c>"required"</c> or <c>{"type":"function","function":{"name":...}}</c>.</summary>
    public JsonElement? ToolChoice { get; set; }

    public bool? ParallelToolCalls { get; set; }

    public string? User { get; set; }

    public int? N { get; set; }

    public bool? Stream { get; set; }

    public StreamOptionsBody? StreamOptions { get; set; }

    public float? PresencePenalty { get; set; }

    public float? FrequencyPenalty { get; set; }

    public long? Seed { get; set; }

    public JsonElement? ResponseFormat { get; set; }
}

/// <summary>A tool offered to the model.</summary>
internal sealed class ToolBody
{
    public string? Type { get; set; }

    public FunctionDefinitionBody? Function { get; set; }
}

/// <summary>A function tool's definition.</summary>
internal sealed class FunctionDefinitionBody
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    public JsonElement? Parameters { get; set; }

    public bool? Strict { get; set; }
}

/// <summary><c>stream_options</c>.</summary>
internal sealed class StreamOptionsBody
{
    public bool? IncludeUsage { get; set; }
}
