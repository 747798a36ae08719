using System.Text.Json.Serialization;

namespace Aegis.Http;

/// <summary><c>{prompt_tokens, completion_tokens, total_tokens}</c>.</summary>
internal sealed record UsageBody(long PromptTokens, long CompletionTokens, long TotalTokens)
{
    public static UsageBody From(RunUsage usage) => new(usage.PromptTokens, usage.CompletionTokens, usage.TotalTokens);
}

/// <summary>One audit event of a run, without any message content.</summary>
internal sealed class EventBody
{
    public long Seq { get; init; }

    public DateTimeOffset Ts { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Stage { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Node { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Verdict { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Code { get; init; }
}

/// <summary>The answer of <c>POST /v1/runs</c> and <c>POST /v1/runs/{id}/resume</c>.</summary>
internal sealed class RunResponseBody
{
    public required string RunId { get; init; }

    public required string Status { get; init; }

    public string? Response { get; init; }

    public required UsageBody Usage { get; init; }

    public required string PrincipalId { get; init; }

    public required IReadOnlyList<EventBody> Events { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Code { get; init; }
}

/// <summary>The answer of <c>GET /v1/runs/{id}</c> and one run of <c>GET /v1/audit</c> (which adds the events).</summary>
internal sealed class RunStatusBody
{
    public required string RunId { get; init; }

    public required string Route { get; init; }

    public required string PrincipalId { get; init; }

    public required string Status { get; init; }

    public required IReadOnlyList<string> Approvers { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Response { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public UsageBody? Usage { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Code { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<EventBody>? Events { get; init; }
}

/// <summary>The answer of <c>GET /v1/audit</c>.</summary>
internal sealed record AuditResponseBody(IReadOnlyList<RunStatusBody> Runs, string? NextCursor);

/// <summary>A non-streamed <c>chat.completion</c>.</summary>
internal sealed class ChatCompletionBody
{
    public required string Id { get; init; }

    public string Object { get; init; } = "chat.completion";

    public required long Created { get; init; }

    public required string Model { get; init; }

    public required IReadOnlyList<ChoiceBody> Choices { get; init; }

    public required UsageBody Usage { get; init; }
}

/// <summary>One choice of a completion.</summary>
internal sealed class ChoiceBody
{
    public int Index { get; init; }

    public required AssistantMessageBody Message { get; init; }

    public required string FinishReason { get; init; }

    /// <summary>Always null: log probabilities are not passed through. Typed so the source-generated writer needs no
    /// <see cref="object"/> serializer (which allocates a stack of frames per response).</summary>
    public string? Logprobs { get; init; }
}

/// <summary>The assistant message of a choice.</summary>
internal sealed class AssistantMessageBody
{
    public string Role { get; init; } = "assistant";

    public string? Content { get; init; }

    /// <summary>The model's refusal, when it refused (then <see cref="Content"/> is usually null).</summary>
    public string? Refusal { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ToolCallOutBody>? ToolCalls { get; init; }
}

/// <summary>A tool call the model made.</summary>
internal sealed record ToolCallOutBody(string Id, string Type, FunctionOutBody Function);

/// <summary>A tool call's function name and arguments (a JSON string).</summary>
internal sealed record FunctionOutBody(string Name, string Arguments);

/// <summary><c>GET /v1/models</c>.</summary>
internal sealed record ModelListBody(string Object, IReadOnlyList<ModelBody> Data);

/// <summary>One model (an Aegis route).</summary>
internal sealed record ModelBody(string Id, string Object, long Created, string OwnedBy);

/// <summary>The liveness answer.</summary>
internal sealed record HealthBody(string Status);

/// <summary><c>{"error": {...}}</c>.</summary>
internal sealed record ErrorEnvelope(ErrorBody Error);

/// <summary>The error object: the catalog entry, a message an OpenAI SDK shows, and the OpenAI error type.</summary>
internal sealed class ErrorBody
{
    public required string Code { get; init; }

    public required string What { get; init; }

    public required string Why { get; init; }

    public required string Fix { get; init; }

    public required string Message { get; init; }

    public required string Type { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RunId { get; init; }
}
