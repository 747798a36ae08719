namespace Aegis;

/// <summary>Options of the deterministic <see cref="FakeChatClient"/>.</summary>
public sealed class FakeChatClientOptions
{
    /// <summary>
    /// Answer with the text of the last user message exactly as the model received it. This is also the
    /// behaviour when neither <see cref="Echo"/> nor <see cref="Reply"/> is set; when both are set, echo wins.
    /// </summary>
    public bool Echo { get; set; }

    /// <summary>Answer with this fixed text (when <see cref="Echo"/> is not set).</summary>
    public string? Reply { get; set; }

    /// <summary>The model id reported in responses (default <c>fake</c>).</summary>
    public string ModelId { get; set; } = "fake";

    /// <summary>How many text chunks a streamed answer is split into (default 4; fewer when the text is shorter).</summary>
    public int ChunkCount { get; set; } = 4;

    /// <summary>
    /// Tool calls to answer with when the request offers tools and no tool result follows the last user message.
    /// Call ids are <c>call_1</c>, <c>call_2</c>, ... in list order.
    /// </summary>
    public IList<FakeToolCall> ToolCalls { get; set; } = [];
}
