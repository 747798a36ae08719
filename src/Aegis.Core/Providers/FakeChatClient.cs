using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>
/// A deterministic <see cref="IChatClient"/> for development and tests: it echoes the last user message
/// (or answers with a fixed reply), can be scripted to call tools, reports a reproducible token usage and
/// streams its answer in several chunks. No network, no randomness.
/// </summary>
/// <remarks>
/// <para>The answer is the text of the last <see cref="ChatRole.User"/> message exactly as this client received it
/// (so, behind a masking guardrail, it contains the placeholders), unless <see cref="FakeChatClientOptions.Reply"/>
/// is set and <see cref="FakeChatClientOptions.Echo"/> is not. With no user message the echo is empty.</para>
/// <para>When <see cref="FakeChatClientOptions.ToolCalls"/> is not empty, the request offers tools
/// (<see cref="ChatOptions.Tools"/>) and no tool result follows the last user message, the answer is one assistant
/// message with the scripted <see cref="FunctionCallContent"/>s (ids <c>call_1</c>, <c>call_2</c>, ...) and
/// <see cref="ChatFinishReason.ToolCalls"/>. Once tool results follow the last user message, the answer is the
/// normal echo or reply (the echo is still the last user message, not the tool result).</para>
/// <para>Usage: every message counts <c>ceil(text length / 4)</c> tokens; the input is the sum over all request
/// messages, the output is the answer text's count (for tool calls, <c>ceil((name + arguments length) / 4)</c> per call).</para>
/// </remarks>
public sealed class FakeChatClient : IChatClient
{
    /// <summary>The provider name reported in <see cref="ChatClientMetadata"/>.</summary>
    public const string ProviderName = "fake";

    private readonly bool _echo;
    private readonly string? _reply;
    private readonly string _modelId;
    private readonly int _chunkCount;
    private readonly ScriptedCall[] _toolCalls;
    private readonly ChatClientMetadata _metadata;
    private long _responseCount;

    /// <summary>Creates an echoing fake client with the default options.</summary>
    public FakeChatClient()
        : this(new FakeChatClientOptions())
    {
    }

    /// <summary>Creates a fake client.</summary>
    /// <param name="options">The behaviour; read once, later changes have no effect.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="FakeChatClientOptions.ChunkCount"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">A scripted tool call has no name or its arguments are not a JSON object.</exception>
    public FakeChatClient(FakeChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ChunkCount, 1, nameof(options));
        _reply = options.Reply;
        _echo = options.Echo || _reply is null;
        _modelId = string.IsNullOrEmpty(options.ModelId) ? "fake" : options.ModelId;
        _chunkCount = options.ChunkCount;
        _toolCalls = new ScriptedCall[options.ToolCalls?.Count ?? 0];
        for (var i = 0; i < _toolCalls.Length; i++)
        {
            _toolCalls[i] = ScriptedCall.Parse(options, i);
        }

        _metadata = new ChatClientMetadata(ProviderName, providerUri: null, defaultModelId: _modelId);
    }

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<ChatResponse>(cancellationToken);
        }

        var turn = Plan(messages, options);
        var message = new ChatMessage(ChatRole.Assistant, turn.CreateContents()) { MessageId = turn.MessageId };
        return Task.FromResult(new ChatResponse(message)
        {
            ResponseId = turn.ResponseId,
            ModelId = turn.ModelId,
            FinishReason = turn.FinishReason,
            Usage = turn.CreateUsage(),
        });
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var turn = Plan(messages, options);

        if (turn.ToolCalls is null)
        {
            var text = turn.Text;
            var chunks = Math.Min(_chunkCount, text.Length);
            var start = 0;
            for (var i = 1; i <= chunks; i++)
            {
                var end = (int)((long)text.Length * i / chunks);
                if (end < text.Length && char.IsLowSurrogate(text[end]))
                {
                    end++; // never split a surrogate pair
                }

                if (end <= start)
                {
                    continue;
                }

                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                yield return turn.CreateUpdate([new TextContent(text[start..end])]);
                start = end;
            }
        }
        else
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return turn.CreateUpdate(turn.CreateContents());
        }

        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        var last = turn.CreateUpdate([new UsageContent(turn.CreateUsage())]);
        last.FinishReason = turn.FinishReason;
        yield return last;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Nothing to release: the fake client holds no connections.
    }

    /// <summary>Counts tokens the fake way: <c>ceil(length / 4)</c>.</summary>
    internal static long CountTokens(int length) => (length + 3L) / 4;

    private Turn Plan(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ChatMessage? lastUser = null;
        var toolResultAfterLastUser = false;
        long inputTokens = 0;
        foreach (var message in messages)
        {
            inputTokens += CountTokens(message.Text.Length);
            if (message.Role == ChatRole.User)
            {
                lastUser = message;
                toolResultAfterLastUser = false;
            }
            else if (message.Role == ChatRole.Tool || HasFunctionResult(message))
            {
                toolResultAfterLastUser = true;
            }
        }

        var responseId = "fake-" + Interlocked.Increment(ref _responseCount).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var modelId = options?.ModelId ?? _modelId;
        if (_toolCalls.Length > 0 && options?.Tools is { Count: > 0 } && !toolResultAfterLastUser)
        {
            long outputTokens = 0;
            foreach (var call in _toolCalls)
            {
                outputTokens += CountTokens(call.Name.Length + call.ArgumentsJson.Length);
            }

            return new Turn(responseId, modelId, Text: string.Empty, _toolCalls, inputTokens, outputTokens);
        }

        var text = _echo ? lastUser?.Text ?? string.Empty : _reply!;
        return new Turn(responseId, modelId, text, ToolCalls: null, inputTokens, CountTokens(text.Length));
    }

    private static bool HasFunctionResult(ChatMessage message)
    {
        foreach (var content in message.Contents)
        {
            if (content is FunctionResultContent)
            {
                return true;
            }
        }

        return false;
    }

    private sealed record Turn(string ResponseId, string ModelId, string Text, ScriptedCall[]? ToolCalls, long InputTokens, long OutputTokens)
    {
        public string MessageId => ResponseId + "-msg";

        public ChatFinishReason FinishReason => ToolCalls is null ? ChatFinishReason.Stop : ChatFinishReason.ToolCalls;

        public List<AIContent> CreateContents()
        {
            if (ToolCalls is null)
            {
                return [new TextContent(Text)];
            }

            var contents = new List<AIContent>(ToolCalls.Length);
            foreach (var call in ToolCalls)
            {
                contents.Add(new FunctionCallContent(call.CallId, call.Name, new Dictionary<string, object?>(call.Arguments, StringComparer.Ordinal)));
            }

            return contents;
        }

        public UsageDetails CreateUsage() => new()
        {
            InputTokenCount = InputTokens,
            OutputTokenCount = OutputTokens,
            TotalTokenCount = InputTokens + OutputTokens,
        };

        public ChatResponseUpdate CreateUpdate(IList<AIContent> contents) => new(ChatRole.Assistant, contents)
        {
            ResponseId = ResponseId,
            MessageId = MessageId,
            ModelId = ModelId,
        };
    }

    private sealed record ScriptedCall(string CallId, string Name, string ArgumentsJson, Dictionary<string, object?> Arguments)
    {
        public static ScriptedCall Parse(FakeChatClientOptions options, int index)
        {
            var call = options.ToolCalls[index];
            if (call is null || string.IsNullOrWhiteSpace(call.Name))
            {
                throw new ArgumentException($"Scripted tool call {index + 1} has no name.", nameof(options));
            }

            var json = string.IsNullOrWhiteSpace(call.ArgumentsJson) ? "{}" : call.ArgumentsJson;
            var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
            try
            {
                using var document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new ArgumentException($"Scripted tool call '{call.Name}': the arguments must be a JSON object.", nameof(options));
                }

                foreach (var property in document.RootElement.EnumerateObject())
                {
                    arguments[property.Name] = property.Value.Clone();
                }
            }
            catch (JsonException ex)
            {
                throw new ArgumentException($"Scripted tool call '{call.Name}': the arguments are not valid JSON.", nameof(options), ex);
            }

            var callId = "call_" + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new ScriptedCall(callId, call.Name, json, arguments);
        }
    }
}
