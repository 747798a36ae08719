using System.Text;
using System.Text.Json;
using Aegis.Pooling;
using Microsoft.Extensions.AI;

namespace Aegis.Providers.OpenAI;

/// <summary>
/// Turns the <c>data:</c> events of a streamed chat completion into <see cref="ChatResponseUpdate"/>s, one per
/// <c>chat.completion.chunk</c>, as each event arrives.
/// </summary>
/// <remarks>
/// <para>Text deltas become <see cref="TextContent"/>; the role, finish reason, id, model and creation time are carried
/// on every update once seen (id and model strings are reused while they do not change); a usage object becomes a
/// <see cref="UsageContent"/>.</para>
/// <para>Tool-call deltas are accumulated per <c>index</c> (id and name from the first delta that has them, the
/// argument fragments concatenated) and emitted as complete <see cref="FunctionCallContent"/>s on the update of the
/// chunk that carries the finish reason, or by <see cref="Complete"/> when the stream ends without one. A refusal is
/// accumulated the same way and emitted as an <see cref="ErrorContent"/> with code <c>Refusal</c>.</para>
/// <para><c>data: [DONE]</c> ends the stream (<see cref="IsDone"/>). An <c>error</c> object (or an <c>error</c> event)
/// inside the stream throws <see cref="OpenAIUpstreamException"/>; a chunk that is not JSON throws
/// <see cref="JsonException"/>.</para>
/// </remarks>
internal sealed class ChatCompletionStreamReader : IDisposable
{
    private readonly PooledBufferWriter _fragment = new(256);
    private ChatRole? _role;
    private ChatFinishReason? _finishReason;
    private string? _id;
    private string? _model;
    private DateTimeOffset? _created;
    private List<ToolCallBuilder>? _calls;
    private StringBuilder? _refusal;

    /// <summary>Whether <c>data: [DONE]</c> has been read.</summary>
    public bool IsDone { get; private set; }

    /// <summary>Parses one event; <see langword="null"/> for <c>[DONE]</c> and for an event with no data. Matches <c>SseItemParser&lt;T&gt;</c>.</summary>
    public ChatResponseUpdate? Parse(string eventType, ReadOnlySpan<byte> data)
    {
        var payload = data.Trim(" \t\r\n"u8);
        if (payload.IsEmpty)
        {
            return null;
        }

        if (payload.SequenceEqual("[DONE]"u8))
        {
            IsDone = true;
            return null;
        }

        if (string.Equals(eventType, "error", StringComparison.Ordinal))
        {
            throw OpenAIUpstreamException.InStream(ProviderErrors.ReadUpstreamCode(payload));
        }

        var reader = new Utf8JsonReader(payload);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw ChatCompletionResponseReader.Malformed("a chunk is not a JSON object");
        }

        List<AIContent>? contents = null;
        UsageDetails? usage = null;
        var finished = false;
        while (ChatCompletionResponseReader.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                ReadChoices(ref reader, ref contents, ref finished);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                ReadCached(ref reader, ref _id);
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                ReadCached(ref reader, ref _model);
            }
            else if (reader.ValueTextEquals("created"u8))
            {
                ReadCreated(ref reader);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                usage = ChatCompletionResponseReader.ReadUsage(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null)
                {
                    throw OpenAIUpstreamException.InStream(ProviderErrors.ReadUpstreamCode(payload));
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (usage is not null)
        {
            (contents ??= []).Add(new UsageContent(usage));
        }

        if (finished)
        {
            AddPending(ref contents);
        }

        return Update(contents);
    }

    /// <summary>What is still held when the stream ends (tool calls or a refusal never closed by a finish reason), or <see langword="null"/>.</summary>
    public ChatResponseUpdate? Complete()
    {
        List<AIContent>? contents = null;
        AddPending(ref contents);
        return contents is null ? null : Update(contents);
    }

    public void Dispose()
    {
        ReleaseCalls();
        _fragment.Dispose();
    }

    private ChatResponseUpdate Update(List<AIContent>? contents)
    {
        var update = new ChatResponseUpdate
        {
            Role = _role ?? ChatRole.Assistant,
            ResponseId = _id,
            MessageId = _id,
            ModelId = _model,
            CreatedAt = _created,
            FinishReason = _finishReason,
        };
        if (contents is not null)
        {
            update.Contents = contents;
        }

        return update;
    }

    private void ReadChoices(ref Utf8JsonReader reader, ref List<AIContent>? contents, ref bool finished)
    {
        ChatCompletionResponseReader.Expect(ref reader, JsonTokenType.StartArray);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            // n = 1: every choice is the one answer.
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw ChatCompletionResponseReader.Malformed("a choice is not an object");
            }

            while (ChatCompletionResponseReader.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("delta"u8))
                {
                    ReadDelta(ref reader, ref contents);
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    if (ChatCompletionResponseReader.ReadFinishReason(ref reader) is { } reason)
                    {
                        _finishReason ??= reason;
                        finished = true;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }

    private void ReadDelta(ref Utf8JsonReader reader, ref List<AIContent>? contents)
    {
        if (!ChatCompletionResponseReader.ReadUnlessNull(ref reader, JsonTokenType.StartObject, "delta is not an object"))
        {
            return;
        }

        while (ChatCompletionResponseReader.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    if (reader.ValueSpan.Length > 0)
                    {
                        (contents ??= []).Add(new TextContent(reader.GetString()));
                    }
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    throw ChatCompletionResponseReader.Malformed("a content delta is not a string");
                }
            }
            else if (reader.ValueTextEquals("role"u8))
            {
                var role = ChatCompletionResponseReader.ReadRole(ref reader);
                _role ??= role;
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                ReadToolCallDeltas(ref reader);
            }
            else if (reader.ValueTextEquals("refusal"u8))
            {
                if (ChatCompletionResponseReader.ReadString(ref reader) is { Length: > 0 } refusal)
                {
                    (_refusal ??= new StringBuilder()).Append(refusal);
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private void ReadToolCallDeltas(ref Utf8JsonReader reader)
    {
        if (!ChatCompletionResponseReader.ReadUnlessNull(ref reader, JsonTokenType.StartArray, "tool_calls is not an array"))
        {
            return;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw ChatCompletionResponseReader.Malformed("a tool call delta is not an object");
            }

            var index = 0;
            string? id = null;
            string? name = null;
            var hasArguments = false;
            _fragment.Clear();
            while (ChatCompletionResponseReader.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("index"u8))
                {
                    index = (int)Math.Clamp(ChatCompletionResponseReader.ReadInt64(ref reader) ?? 0, 0, 1024);
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    id = ChatCompletionResponseReader.ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("function"u8))
                {
                    if (!ChatCompletionResponseReader.ReadUnlessNull(ref reader, JsonTokenType.StartObject, "function is not an object"))
                    {
                        continue;
                    }

                    while (ChatCompletionResponseReader.NextProperty(ref reader))
                    {
                        if (reader.ValueTextEquals("name"u8))
                        {
                            name = ChatCompletionResponseReader.ReadString(ref reader);
                        }
                        else if (reader.ValueTextEquals("arguments"u8))
                        {
                            reader.Read();
                            if (reader.TokenType == JsonTokenType.String)
                            {
                                // Unescaped into a scratch buffer: the index may come after the function in the delta.
                                var written = reader.CopyString(_fragment.GetSpan(reader.ValueSpan.Length));
                                _fragment.Advance(written);
                                hasArguments = true;
                            }
                            else if (reader.TokenType != JsonTokenType.Null)
                            {
                                throw ChatCompletionResponseReader.Malformed("an arguments delta is not a string");
                            }
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            var call = CallAt(index);
            call.Id ??= string.IsNullOrEmpty(id) ? null : id;
            call.Name ??= string.IsNullOrEmpty(name) ? null : name;
            if (hasArguments && _fragment.WrittenCount > 0)
            {
                var arguments = call.Arguments ??= new PooledBufferWriter(Math.Max(256, _fragment.WrittenCount));
                _fragment.WrittenSpan.CopyTo(arguments.GetSpan(_fragment.WrittenCount));
                arguments.Advance(_fragment.WrittenCount);
            }
        }
    }

    private ToolCallBuilder CallAt(int index)
    {
        var calls = _calls ??= [];
        for (var i = 0; i < calls.Count; i++)
        {
            if (calls[i].Index == index)
            {
                return calls[i];
            }
        }

        var call = new ToolCallBuilder(index);
        calls.Add(call);
        return call;
    }

    private void AddPending(ref List<AIContent>? contents)
    {
        if (_calls is { Count: > 0 } calls)
        {
            calls.Sort(static (a, b) => a.Index.CompareTo(b.Index));
            foreach (var call in calls)
            {
                if (string.IsNullOrWhiteSpace(call.Name))
                {
                    continue;
                }

                var arguments = ChatCompletionResponseReader.ParseArguments(call.Arguments is { } buffer ? buffer.WrittenSpan : default, out var invalid);
                (contents ??= []).Add(ChatCompletionResponseReader.CreateCall(call.Id, call.Name, arguments, invalid));
            }

            ReleaseCalls();
        }

        if (_refusal is { } refusal)
        {
            (contents ??= []).Add(new ErrorContent(refusal.ToString()) { ErrorCode = OpenAIConventions.RefusalErrorCode });
            _refusal = null;
        }
    }

    private void ReleaseCalls()
    {
        if (_calls is { } calls)
        {
            foreach (var call in calls)
            {
                call.Arguments?.Dispose();
            }

            _calls = null;
        }
    }

    private static void ReadCached(ref Utf8JsonReader reader, ref string? cached)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            // The same id and model come on every chunk: keep the string while the bytes match.
            if (cached is null || !reader.ValueTextEquals(cached))
            {
                cached = reader.GetString();
            }
        }
        else if (reader.TokenType != JsonTokenType.Null)
        {
            throw ChatCompletionResponseReader.Malformed("a text field is not a string");
        }
    }

    private void ReadCreated(ref Utf8JsonReader reader)
    {
        if (ChatCompletionResponseReader.ReadInt64(ref reader) is { } seconds)
        {
            _created = ChatCompletionResponseReader.FromUnixSeconds(seconds);
        }
    }

    /// <summary>One tool call being reassembled from its deltas.</summary>
    private sealed class ToolCallBuilder(int index)
    {
        public int Index { get; } = index;

        public string? Id { get; set; }

        public string? Name { get; set; }

        public PooledBufferWriter? Arguments { get; set; }
    }
}
