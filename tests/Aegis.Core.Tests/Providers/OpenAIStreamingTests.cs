using System.Text.Json;
using Aegis.Providers.OpenAI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Aegis.Core.Tests.Providers;

/// <summary>How the <c>openai</c> / <c>openai_compatible</c> client relays a streamed answer (server-sent events).</summary>
public sealed class OpenAIStreamingTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private FakeOpenAIUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await FakeOpenAIUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task Chunks_are_relayed_as_they_arrive_not_at_the_end_of_the_stream()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _upstream.StreamGate = gate.Task;
        _upstream.GateAfterFrames = 2; // the role chunk and the first text chunk, then the upstream waits
        using var client = CreateClient();

        var updates = client.GetStreamingResponseAsync("stream please").GetAsyncEnumerator();
        try
        {
            string? first = null;
            while (first is null)
            {
                // If the client waited for the end of the stream, this would never complete: the upstream holds it.
                Assert.True(await updates.MoveNextAsync().AsTask().WaitAsync(Patience), "the stream ended early");
                first = updates.Current.Text is { Length: > 0 } text ? text : null;
            }

            Assert.Equal("Hello from t", first);
            Assert.False(gate.Task.IsCompleted);
            Assert.Equal(2, _upstream.FramesWritten);

            gate.SetResult();
            var rest = new List<ChatResponseUpdate>();
            while (await updates.MoveNextAsync().AsTask().WaitAsync(Patience))
            {
                rest.Add(updates.Current);
            }

            Assert.Equal("Hello from the upstream, reassembled.", first + string.Concat(rest.Select(u => u.Text)));
        }
        finally
        {
            gate.TrySetResult();
            await updates.DisposeAsync();
        }
    }

    [Fact]
    public async Task Every_update_carries_id_model_created_and_role_and_usage_comes_as_UsageContent()
    {
        using var client = CreateClient();

        var updates = await CollectAsync(client.GetStreamingResponseAsync("hi"));

        Assert.All(updates, u =>
        {
            Assert.Equal("chatcmpl-fake-1", u.ResponseId);
            Assert.Equal("chatcmpl-fake-1", u.MessageId);
            Assert.Equal("gpt-test-mini", u.ModelId);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), u.CreatedAt);
            Assert.Equal(ChatRole.Assistant, u.Role);
        });

        // One update per chunk: role, three text pieces, finish, usage.
        Assert.Equal(6, updates.Count);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>()).Details;
        Assert.Equal(17, usage.InputTokenCount);
        Assert.Equal(9, usage.OutputTokenCount);
        Assert.Equal(26, usage.TotalTokenCount);
        Assert.IsType<UsageContent>(Assert.Single(updates[^1].Contents));
    }

    [Fact]
    public async Task Tool_call_deltas_are_reassembled_per_index_and_emitted_with_the_finish_reason()
    {
        _upstream.StreamFrames =
        [
            Frame("""{"id":"s1","created":5,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}"""),
            Frame("""{"id":"s1","created":5,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{\"tz\":"}}]},"finish_reason":null}]}"""),
            Frame("""{"id":"s1","created":5,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Pa"}}]},"finish_reason":null}]}"""),
            Frame("""{"id":"s1","created":5,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"ris \\u00e9\"}"},"index":0}]},"finish_reason":null}]}"""),
            Frame("""{"id":"s1","created":5,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\"UTC\"}"}}]},"finish_reason":null}]}"""),
            Frame("""{"id":"s1","created":5,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"""),
            Frame("""{"id":"s1","created":5,"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":6,"total_tokens":11}}"""),
            "data: [DONE]\n\n",
        ];
        using var client = CreateClient();

        var updates = await CollectAsync(client.GetStreamingResponseAsync("hi", new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("get_weather", "", default)] }));

        var withCalls = Assert.Single(updates, u => u.Contents.OfType<FunctionCallContent>().Any());
        Assert.Equal(ChatFinishReason.ToolCalls, withCalls.FinishReason);
        Assert.Same(updates[5], withCalls);
        var calls = withCalls.Contents.OfType<FunctionCallContent>().ToList();
        Assert.Equal(["call_a", "call_b"], calls.Select(c => c.CallId));
        Assert.Equal(["get_weather", "get_time"], calls.Select(c => c.Name));
        Assert.Equal("Paris é", Assert.IsType<JsonElement>(calls[0].Arguments!["city"]).GetString());
        Assert.Equal("UTC", Assert.IsType<JsonElement>(calls[1].Arguments!["tz"]).GetString());

        var merged = updates.ToChatResponse();
        Assert.Equal(2, merged.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Count());
        Assert.Equal(11, merged.Usage!.TotalTokenCount);
    }

    [Fact]
    public async Task Pending_tool_calls_are_emitted_when_the_stream_ends_without_a_finish_reason_or_done()
    {
        _upstream.StreamFrames =
        [
            Frame("""{"id":"s2","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_z","function":{"name":"f","arguments":"{\"a\":1}"}}]}}]}"""),
        ];
        using var client = CreateClient();

        var updates = await CollectAsync(client.GetStreamingResponseAsync("hi"));

        Assert.Equal(2, updates.Count);
        var call = Assert.Single(updates[^1].Contents.OfType<FunctionCallContent>());
        Assert.Equal("call_z", call.CallId);
        Assert.Equal(1, Assert.IsType<JsonElement>(call.Arguments!["a"]).GetInt32());
    }

    [Fact]
    public async Task Comments_other_fields_unknown_properties_and_crlf_line_endings_are_tolerated()
    {
        _upstream.StreamFrames =
        [
            ": keep-alive\r\n\r\n",
            "data:\n\n",
            "event: message\r\nid: 1\r\nretry: 1000\r\ndata: {\"id\":\"s3\",\"obj\":{\"nested\":[1,2,{\"a\":\"}\"}]},\"choices\":[{\"index\":0,\"logprobs\":{\"content\":[]},\"delta\":{\"content\":\"Hel\",\"reasoning_content\":\"hmm\",\"x\":true}}]}\r\n\r\n",
            "data: {\"id\":\"s3\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n",
            "data: [DONE]\n\n",
        ];
        using var client = CreateClient();

        var updates = await CollectAsync(client.GetStreamingResponseAsync("hi"));

        Assert.Equal("Hello", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Fact]
    public async Task A_refusal_is_accumulated_into_one_error_content()
    {
        _upstream.StreamFrames =
        [
            Frame("""{"id":"s4","choices":[{"index":0,"delta":{"role":"assistant","refusal":"I can't "}}]}"""),
            Frame("""{"id":"s4","choices":[{"index":0,"delta":{"refusal":"help with that."},"finish_reason":"stop"}]}"""),
            "data: [DONE]\n\n",
        ];
        using var client = CreateClient();

        var updates = await CollectAsync(client.GetStreamingResponseAsync("hi"));

        var refusal = Assert.Single(updates.SelectMany(u => u.Contents).OfType<ErrorContent>());
        Assert.Equal("I can't help with that.", refusal.Message);
        Assert.Equal("Refusal", refusal.ErrorCode);
    }

    [Fact]
    public async Task An_error_inside_the_stream_is_upstream_failed_with_its_code_only()
    {
        _upstream.StreamFrames =
        [
            Frame("""{"id":"s5","choices":[{"index":0,"delta":{"content":"Par"}}]}"""),
            Frame("""{"error":{"message":"Internal error, your key sk-leak-marker was fine","type":"server_error","code":"server_overloaded"}}"""),
        ];
        using var client = CreateClient();

        var error = await OpenAIResponseReadingTests.TranslatedAsync(() => CollectAsync(client.GetStreamingResponseAsync("hi")));

        Assert.Equal("AEG-PRV-003", error.Code);
        Assert.Equal("provider 'upstream': the upstream reported an error in the stream (server_overloaded)", error.Detail);
        Assert.DoesNotContain("sk-leak-marker", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_chunk_is_upstream_failed_not_a_crash()
    {
        _upstream.StreamFrames =
        [
            Frame("""{"id":"s6","choices":[{"index":0,"delta":{"content":"ok"}}]}"""),
            Frame("""{"id":"s6","choices":[{"index":0,"delta":{"content": sk-leak-marker"""),
            "data: [DONE]\n\n",
        ];
        using var client = CreateClient();

        var error = await OpenAIResponseReadingTests.TranslatedAsync(() => CollectAsync(client.GetStreamingResponseAsync("hi")));

        Assert.Equal("AEG-PRV-003", error.Code);
        Assert.Equal("provider 'upstream': the upstream answered a malformed response", error.Detail);
        Assert.DoesNotContain("sk-leak-marker", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_ignores_stream_and_answers_json_is_still_relayed()
    {
        _upstream.RawBody = """{"id":"j1","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"whole"}}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""";
        using var client = CreateClient();

        var updates = await CollectAsync(client.GetStreamingResponseAsync("hi"));

        var merged = updates.ToChatResponse();
        Assert.Equal("whole", merged.Text);
        Assert.Equal(ChatFinishReason.Stop, merged.FinishReason);
        Assert.Equal(2, merged.Usage!.TotalTokenCount);
    }

    [Fact]
    public async Task The_timeout_bounds_each_wait_not_the_whole_stream()
    {
        // Five frames 500 ms apart: the stream takes ~2.5 s in all, longer than the 1.5 s timeout, but no wait does
        // (a second of margin a wait, so a loaded machine does not fail it).
        using var client = CreateClient(timeoutSeconds: 1.5);
        await client.GetResponseAsync("warm up"); // JIT and the connection, so the first wait is the upstream's alone
        _upstream.StreamFrames =
        [
            Frame("""{"id":"t","choices":[{"index":0,"delta":{"content":"a"}}]}"""),
            Frame("""{"id":"t","choices":[{"index":0,"delta":{"content":"b"}}]}"""),
            Frame("""{"id":"t","choices":[{"index":0,"delta":{"content":"c"}}]}"""),
            Frame("""{"id":"t","choices":[{"index":0,"delta":{"content":"d"},"finish_reason":"stop"}]}"""),
            "data: [DONE]\n\n",
        ];
        _upstream.FrameDelay = TimeSpan.FromMilliseconds(500);

        var updates = await CollectAsync(client.GetStreamingResponseAsync("hi"));

        Assert.Equal("abcd", string.Concat(updates.Select(u => u.Text)));
    }

    [Fact]
    public async Task A_stalled_stream_times_out_as_upstream_failed()
    {
        _upstream.StreamFrames =
        [
            Frame("""{"id":"t","choices":[{"index":0,"delta":{"content":"a"}}]}"""),
            Frame("""{"id":"t","choices":[{"index":0,"delta":{"content":"b"}}]}"""),
        ];
        _upstream.FrameDelay = TimeSpan.FromSeconds(30);
        using var client = CreateClient(timeoutSeconds: 0.3);

        var error = await OpenAIResponseReadingTests.TranslatedAsync(() => CollectAsync(client.GetStreamingResponseAsync("hi")));

        Assert.Equal("AEG-PRV-003", error.Code);
        Assert.Equal("provider 'upstream': the upstream did not answer within the timeout", error.Detail);
    }

    [Fact]
    public async Task A_slow_consumer_is_not_a_timeout()
    {
        // The client's clock is a fake one: the consumer lets five "seconds" pass on every update, five times the
        // timeout. Only the waits for the upstream count, so the stream completes.
        _upstream.StreamFrames =
        [
            Frame("""{"id":"t","choices":[{"index":0,"delta":{"content":"a"}}]}"""),
            Frame("""{"id":"t","choices":[{"index":0,"delta":{"content":"b"}}]}"""),
            Frame("""{"id":"t","choices":[{"index":0,"delta":{"content":"c"},"finish_reason":"stop"}]}"""),
            "data: [DONE]\n\n",
        ];
        _upstream.FrameDelay = TimeSpan.FromMilliseconds(50);
        var time = new FakeTimeProvider();
        using var http = new HttpClient();
        using var client = new OpenAIChatCompletionsClient(http, new OpenAIChatCompletionsOptions
        {
            Endpoint = new Uri(_upstream.BaseUrl),
            Model = "m",
            ApiKey = "sk-test-streaming",
            Timeout = TimeSpan.FromSeconds(1),
            TimeProvider = time,
        });

        var text = "";
        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            text += update.Text;
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(150); // and the next frame arrives after the last read, so the next update needs a new one
        }

        Assert.Equal("abc", text);
    }

    [Fact]
    public async Task Caller_cancellation_mid_stream_passes_through_and_the_upstream_request_ends()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _upstream.StreamGate = gate.Task;
        using var client = CreateClient();
        using var cts = new CancellationTokenSource();
        try
        {
            var updates = client.GetStreamingResponseAsync("hi", cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
            try
            {
                Assert.True(await updates.MoveNextAsync().AsTask().WaitAsync(Patience));
                Assert.True(await updates.MoveNextAsync().AsTask().WaitAsync(Patience));
                var pending = updates.MoveNextAsync().AsTask();
                await cts.CancelAsync();

                var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Patience));
                Assert.False(ProviderErrors.ShouldTranslate(thrown, cts.Token));
            }
            finally
            {
                await updates.DisposeAsync();
            }

            // The upstream, still holding the rest of its answer, sees the connection go (at the latest when the
            // handler gives up draining the unread answer).
            for (var i = 0; !_upstream.StreamAborted; i++)
            {
                Assert.True(i < 1000, "the upstream request did not end");
                await Task.Delay(10);
            }
        }
        finally
        {
            gate.TrySetResult();
        }
    }

    private static string Frame(string json) => "data: " + json + "\n\n";

    private static async Task<List<ChatResponseUpdate>> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in stream)
        {
            updates.Add(update);
        }

        return updates;
    }

    private IChatClient CreateClient(double? timeoutSeconds = null) => new ChatProviderFactory().Create("upstream", new ProviderOptions
    {
        Type = "openai_compatible",
        BaseUrl = _upstream.BaseUrl,
        ApiKey = "sk-test-streaming",
        Model = "gpt-test-mini",
        TimeoutSeconds = timeoutSeconds,
    });
}
