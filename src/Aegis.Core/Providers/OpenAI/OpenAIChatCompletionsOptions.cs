namespace Aegis.Providers.OpenAI;

/// <summary>Which request field carries <c>ChatOptions.MaxOutputTokens</c>.</summary>
internal enum OpenAIMaxTokensField
{
    /// <summary><c>max_tokens</c>: what OpenAI-compatible servers (Ollama, vLLM, llama.cpp, LM Studio, ...) read.</summary>
    MaxTokens,

    /// <summary><c>max_completion_tokens</c>: what the OpenAI API reads (it rejects <c>max_tokens</c> for reasoning models).</summary>
    MaxCompletionTokens,
}

/// <summary>The settings of one <see cref="OpenAIChatCompletionsClient"/> (one configured provider).</summary>
internal sealed class OpenAIChatCompletionsOptions
{
    /// <summary>The OpenAI API root, used when <c>base_url</c> is not set.</summary>
    public static readonly Uri DefaultEndpoint = new("https://api.openai.com/v1");

    /// <summary>The API root including the version segment; requests go to <c>&lt;endpoint&gt;/chat/completions</c>.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The model sent when <c>ChatOptions.ModelId</c> is not set.</summary>
    public required string Model { get; init; }

    /// <summary>The bearer token.</summary>
    public required string ApiKey { get; init; }

    /// <summary>
    /// How long a non-streamed call may take from sending to the end of the body; for a streamed call, how long
    /// each wait for the upstream may take (the answer's headers, then each event).
    /// </summary>
    public TimeSpan Timeout { get; init; } = ChatProviderFactory.DefaultTimeout;

    /// <summary>Which field carries the output-token limit.</summary>
    public OpenAIMaxTokensField MaxTokensField { get; init; } = OpenAIMaxTokensField.MaxCompletionTokens;

    /// <summary>The clock of the timeouts.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
