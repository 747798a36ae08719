using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Aegis.Core.Tests.Providers;

public sealed class FakeChatClientTests
{
    private static readonly AITool WeatherTool = AIFunctionFactory.Create((string city) => "sunny", "get_weather");

    [Fact]
    public async Task Echo_answers_the_last_user_message_exactly()
    {
        using var client = new FakeChatClient(new FakeChatClientOptions { Echo = true });
        ChatMessage[] messages =
        [
            new(ChatRole.System, "be brief"),
            new(ChatRole.User, "first question"),
            new(ChatRole.Assistant, "first answer"),
            new(ChatRole.User, "Mail <EMAIL_1> about  [PHONE_1]\n please"),
        ];

        var response = await client.GetResponseAsync(messages);

        Assert.Equal("Mail <EMAIL_1> about  [PHONE_1]\n please", response.Text);
        Assert.Equal(ChatRole.Assistant, Assert.Single(response.Messages).Role);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("fake", response.ModelId);
        Assert.False(string.IsNullOrEmpty(response.ResponseId));
    }

    [Fact]
    public async Task Echo_is_the_default_when_neither_echo_nor_reply_is_set()
    {
        using var client = new FakeChatClient();

        var response = await client.GetResponseAsync("hello there");

        Assert.Equal("hello there", response.Text);
    }

    [Fact]
    public async Task Reply_answers_the_fixed_text()
    {
        using var client = new FakeChatClient(new FakeChatClientOptions { Reply = "Fixed answer.", ModelId = "fake-large" });

        var response = await client.GetResponseAsync("anything at all");

        Assert.Equal("Fixed answer.", response.Text);
        Assert.Equal("fake-large", response.ModelId);
    }

    [Fact]
    public async Task Echo_wins_over_reply_when_both_are_set()
    {
        using var client = new FakeChatClient(new FakeChatClientOptions { Echo = true, Reply = "fixed" });

        var response = await client.GetResponseAsync("echo me");

        Assert.Equal("echo me", response.Text);
    }

    [Fact]
    public async Task Usage_is_deterministic_and_counts_ceil_chars_over_four_per_message()
    {
        using var client = new FakeChatClient();
        // 8 chars -> 2, 5 chars -> 2, 13 chars -> 4: input 8 tokens; output echoes 13 chars -> 4.
        ChatMessage[] messages = [new(ChatRole.System, "12345678"), new(ChatRole.Assistant, "abcde"), new(ChatRole.User, "thirteen char")];

        var first = await client.GetResponseAsync(messages);
        var second = await client.GetResponseAsync(messages);

        Assert.NotNull(first.Usage);
        Assert.Equal(8, first.Usage.InputTokenCount);
        Assert.Equal(4, first.Usage.OutputTokenCount);
        Assert.Equal(12, first.Usage.TotalTokenCount);
        Assert.Equal(first.Usage.InputTokenCount, second.Usage!.InputTokenCount);
        Assert.Equal(first.Usage.OutputTokenCount, second.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task Streaming_splits_into_several_chunks_that_reassemble_to_the_buffered_text()
    {
        using var client = new FakeChatClient(new FakeChatClientOptions { Reply = "The quick brown fox jumps over the lazy dog." });
        var buffered = await client.GetResponseAsync("go");

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("go"))
        {
            updates.Add(update);
        }

        var textUpdates = updates.Where(u => u.Contents.OfType<TextContent>().Any()).ToList();
        Assert.Equal(4, textUpdates.Count);
        Assert.All(textUpdates, u => Assert.Equal(ChatRole.Assistant, u.Role));
        Assert.Equal(buffered.Text, string.Concat(textUpdates.Select(u => u.Text)));

        var last = updates[^1];
        Assert.Equal(ChatFinishReason.Stop, last.FinishReason);
        var usage = Assert.Single(last.Contents.OfType<UsageContent>()).Details;
        Assert.Equal(buffered.Usage!.InputTokenCount, usage.InputTokenCount);
        Assert.Equal(buffered.Usage.OutputTokenCount, usage.OutputTokenCount);
        Assert.True(usage.OutputTokenCount > 0);

        var merged = updates.ToChatResponse();
        Assert.Equal(buffered.Text, merged.Text);
        Assert.Equal(buffered.Usage.TotalTokenCount, merged.Usage!.TotalTokenCount);
    }

    [Theory]
    [InlineData("ab", 2)]
    [InlineData("a", 1)]
    [InlineData("", 0)]
    public async Task Streaming_uses_fewer_chunks_for_short_text(string text, int expectedChunks)
    {
        using var client = new FakeChatClient(new FakeChatClientOptions { Reply = text, ChunkCount = 4 });

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("x"))
        {
            updates.Add(update);
        }

        Assert.Equal(expectedChunks, updates.Count(u => u.Contents.OfType<TextContent>().Any()));
        Assert.Equal(text, string.Concat(updates.Select(u => u.Text)));
        Assert.NotNull(updates[^1].FinishReason);
    }

    [Fact]
    public async Task Streaming_never_splits_a_surrogate_pair()
    {
        using var client = new FakeChatClient(new FakeChatClientOptions { Reply = "a\U0001F600b\U0001F600", ChunkCount = 3 });

        await foreach (var update in client.GetStreamingResponseAsync("x"))
        {
            foreach (var text in update.Contents.OfType<TextContent>())
            {
                Assert.False(char.IsHighSurrogate(text.Text[^1]), "a chunk ended inside a surrogate pair");
                Assert.False(char.IsLowSurrogate(text.Text[0]), "a chunk started inside a surrogate pair");
            }
        }
    }

    [Fact]
    public async Task Scripted_tool_calls_come_first_then_a_normal_answer_after_the_tool_result()
    {
        using var client = new FakeChatClient(new FakeChatClientOptions
        {
            Echo = true,
            ToolCalls = [new FakeToolCall("get_weather", """{"city":"Paris"}"""), new FakeToolCall("get_time", "{}")],
        });
        var options = new ChatOptions { Tools = [WeatherTool] };
        var history = new List<ChatMessage> { new(ChatRole.User, "Weather in Paris?") };

        var first = await client.GetResponseAsync(history, options);

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var calls = Assert.Single(first.Messages).Contents.OfType<FunctionCallContent>().ToList();
        Assert.Equal(["call_1", "call_2"], calls.Select(c => c.CallId));
        Assert.Equal(["get_weather", "get_time"], calls.Select(c => c.Name));
        Assert.Equal("Paris", ((JsonElement)calls[0].Arguments!["city"]!).GetString());
        Assert.True(first.Usage!.OutputTokenCount > 0);

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny, 21 C")]));
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_2", "12:00")]));

        var second = await client.GetResponseAsync(history, options);

        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Equal("Weather in Paris?", second.Text);
        Assert.Empty(second.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());

        history.AddRange(second.Messages);
        history.Add(new ChatMessage(ChatRole.User, "And in Rome?"));
        var third = await client.GetResponseAsync(history, options);
        Assert.Equal(ChatFinishReason.ToolCalls, third.FinishReason);
    }

    [Fact]
    public async Task Scripted_tool_calls_need_tools_in_the_request()
    {
        using var client = new FakeChatClient(new FakeChatClientOptions { ToolCalls = [new FakeToolCall("get_weather")] });

        var response = await client.GetResponseAsync("no tools offered");

        Assert.Equal("no tools offered", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task Scripted_tool_calls_stream_in_one_update()
    {
        using var client = new FakeChatClient(new FakeChatClientOptions { ToolCalls = [new FakeToolCall("get_weather", """{"city":"Oslo"}""")] });

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Weather?", new ChatOptions { Tools = [WeatherTool] }))
        {
            updates.Add(update);
        }

        var withCalls = Assert.Single(updates, u => u.Contents.OfType<FunctionCallContent>().Any());
        Assert.Equal("call_1", Assert.Single(withCalls.Contents.OfType<FunctionCallContent>()).CallId);
        Assert.Equal(ChatFinishReason.ToolCalls, updates[^1].FinishReason);
        Assert.Single(updates[^1].Contents.OfType<UsageContent>());
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        using var client = new FakeChatClient(new FakeChatClientOptions { Reply = "a long enough answer to stream" });
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("x", cancellationToken: cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync("x", cancellationToken: cancelled.Token))
            {
            }
        });

        using var midway = new CancellationTokenSource();
        var received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync("x", cancellationToken: midway.Token))
            {
                received++;
                await midway.CancelAsync();
            }
        });
        Assert.Equal(1, received);
    }

    [Fact]
    public void GetService_follows_the_IChatClient_convention()
    {
        using var client = new FakeChatClient(new FakeChatClientOptions { ModelId = "fake-x" });

        Assert.Same(client, client.GetService<FakeChatClient>());
        Assert.Same(client, client.GetService<IChatClient>());
        var metadata = client.GetService<ChatClientMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("fake", metadata.ProviderName);
        Assert.Equal("fake-x", metadata.DefaultModelId);
        Assert.Null(client.GetService<ChatClientMetadata>(serviceKey: "other"));
        Assert.Null(client.GetService(typeof(StringBuilder)));
    }

    [Fact]
    public void Invalid_options_fail_at_construction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FakeChatClient(new FakeChatClientOptions { ChunkCount = 0 }));
        Assert.Throws<ArgumentException>(() => new FakeChatClient(new FakeChatClientOptions { ToolCalls = [new FakeToolCall("f", "[1,2]")] }));
        Assert.Throws<ArgumentException>(() => new FakeChatClient(new FakeChatClientOptions { ToolCalls = [new FakeToolCall("f", "{not json")] }));
        Assert.Throws<ArgumentException>(() => new FakeChatClient(new FakeChatClientOptions { ToolCalls = [new FakeToolCall(" ")] }));
    }
}
