using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Aegis.Core.Tests.Providers;

/// <summary>The <c>openai</c> / <c>openai_compatible</c> providers against a loopback server speaking the real wire protocol.</summary>
public sealed class OpenAICompatibleProviderTests : IAsyncLifetime
{
    private const string ApiKey = "sk-test-Zq81VbT7wRk2LmN0pXc4";
    private FakeOpenAIUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await FakeOpenAIUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task Request_carries_model_and_messages_and_the_answer_comes_back_with_usage()
    {
        using var client = CreateClient();

        var response = await client.GetResponseAsync(
        [
            new ChatMessage(ChatRole.System, "You are terse."),
            new ChatMessage(ChatRole.User, "Say hello to <PERSON_1>."),
        ]);

        Assert.Equal("Hello from the upstream, reassembled.", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(17, response.Usage!.InputTokenCount);
        Assert.Equal(9, response.Usage.OutputTokenCount);
        Assert.Equal(26, response.Usage.TotalTokenCount);

        var request = Assert.Single(_upstream.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer " + ApiKey, request.Authorization);
        Assert.Equal("gpt-test-mini", request.Body["model"]!.GetValue<string>());
        var messages = request.Body["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal("system", messages[0]!["role"]!.GetValue<string>());
        Assert.Equal("You are terse.", ContentText(messages[0]!));
        Assert.Equal("user", messages[1]!["role"]!.GetValue<string>());
        Assert.Equal("Say hello to <PERSON_1>.", ContentText(messages[1]!));
    }

    [Fact]
    public async Task Streaming_reassembles_the_text_and_reports_usage()
    {
        using var client = CreateClient();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("stream please"))
        {
            updates.Add(update);
        }

        Assert.True(updates.Count(u => !string.IsNullOrEmpty(u.Text)) > 1);
        Assert.Equal("Hello from the upstream, reassembled.", string.Concat(updates.Select(u => u.Text)));
        var merged = updates.ToChatResponse();
        Assert.Equal(ChatFinishReason.Stop, merged.FinishReason);
        Assert.Equal(26, merged.Usage!.TotalTokenCount);

        var body = Assert.Single(_upstream.Requests).Body;
        Assert.True(body["stream"]!.GetValue<bool>());
        Assert.Equal("gpt-test-mini", body["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_tool_call_round_trips_as_FunctionCallContent()
    {
        _upstream.ToolCall = new UpstreamToolCall("call_up_1", "get_weather", """{"city":"Paris","unit":"c"}""");
        using var client = CreateClient();
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string city, string unit) => "sunny", "get_weather", "Weather of a city")] };

        var response = await client.GetResponseAsync("Weather in Paris?", options);

        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("call_up_1", call.CallId);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Paris", ArgumentText(call.Arguments!["city"]));

        var tools = Assert.Single(_upstream.Requests).Body["tools"]!.AsArray();
        var function = Assert.Single(tools)!["function"]!;
        Assert.Equal("get_weather", function["name"]!.GetValue<string>());
        Assert.NotNull(function["parameters"]!["properties"]!["city"]);

        // The tool result goes back on the wire with the call id.
        var history = new List<ChatMessage> { new(ChatRole.User, "Weather in Paris?") };
        history.AddRange(response.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_up_1", "sunny")]));
        _upstream.ToolCall = null;
        var final = await client.GetResponseAsync(history, options);

        Assert.Equal("Hello from the upstream, reassembled.", final.Text);
        var sent = _upstream.Requests[^1].Body["messages"]!.AsArray();
        var toolMessage = sent.Single(m => m!["role"]!.GetValue<string>() == "tool")!;
        Assert.Equal("call_up_1", toolMessage["tool_call_id"]!.GetValue<string>());
        var assistant = sent.Single(m => m!["role"]!.GetValue<string>() == "assistant")!;
        Assert.Equal("get_weather", assistant["tool_calls"]![0]!["function"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_streamed_tool_call_is_reassembled()
    {
        _upstream.ToolCall = new UpstreamToolCall("call_up_2", "get_weather", """{"city":"Lisbon"}""");
        using var client = CreateClient();
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string city) => "sunny", "get_weather")] };

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Weather in Lisbon?", options))
        {
            updates.Add(update);
        }

        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("call_up_2", call.CallId);
        Assert.Equal("Lisbon", ArgumentText(call.Arguments!["city"]));
    }

    [Fact]
    public async Task Openai_compatible_without_api_key_sends_the_placeholder()
    {
        using var client = new ChatProviderFactory().Create("local", new ProviderOptions
        {
            Type = "openai_compatible",
            BaseUrl = _upstream.BaseUrl,
            Model = "llama-local",
        });

        await client.GetResponseAsync("hi");

        Assert.Equal("Bearer " + ChatProviderFactory.PlaceholderApiKey, Assert.Single(_upstream.Requests).Authorization);
    }

    [Fact]
    public async Task Openai_type_honours_base_url()
    {
        using var client = new ChatProviderFactory().Create("main", new ProviderOptions
        {
            Type = "openai",
            BaseUrl = _upstream.BaseUrl,
            ApiKey = ApiKey,
            Model = "gpt-test",
        });

        var response = await client.GetResponseAsync("hi");

        Assert.Equal("Hello from the upstream, reassembled.", response.Text);
        Assert.Equal("gpt-test", Assert.Single(_upstream.Requests).Body["model"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(401, "invalid_api_key", "AEG-PRV-005")]
    [InlineData(403, "forbidden", "AEG-PRV-005")]
    [InlineData(404, "model_not_found", "AEG-PRV-004")]
    [InlineData(500, "server_error", "AEG-PRV-003")]
    [InlineData(429, "rate_limit_exceeded", "AEG-PRV-003")]
    public async Task Upstream_statuses_map_to_coded_errors_without_the_key(int status, string code, string expected)
    {
        _upstream.Status = status;
        _upstream.ErrorCode = code;
        using var client = CreateClient();

        var error = await CallAndTranslateAsync(client, stream: false);

        Assert.Equal(expected, error.Code);
        Assert.Contains("provider 'upstream'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"HTTP {status}", error.Message, StringComparison.Ordinal);
        Assert.Contains(code, error.Message, StringComparison.Ordinal);
        AssertNoSecret(error);
        Assert.Single(_upstream.Requests); // no SDK retries: the gateway decides on fallback
    }

    [Fact]
    public async Task Streaming_errors_map_the_same_way()
    {
        _upstream.Status = 401;
        using var client = CreateClient();

        var error = await CallAndTranslateAsync(client, stream: true);

        Assert.Equal("AEG-PRV-005", error.Code);
        AssertNoSecret(error);
    }

    [Fact]
    public async Task Error_text_quoting_the_request_content_does_not_leak()
    {
        _upstream.Status = 400;
        _upstream.ErrorCode = "Contains Secret-Value 12345";
        _upstream.ErrorMessage = request => "bad request: " + request.Body.ToJsonString();
        using var client = CreateClient();

        var error = await CallAndTranslateAsync(client, stream: false, prompt: "my card is 4111 1111 1111 1111");

        Assert.Equal("AEG-PRV-003", error.Code);
        Assert.DoesNotContain("4111", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Secret-Value", error.ToString(), StringComparison.Ordinal);
        AssertNoSecret(error);
    }

    [Fact]
    public async Task Connection_refused_maps_to_upstream_failed()
    {
        var port = FreePort();
        using var client = new ChatProviderFactory().Create("down", new ProviderOptions
        {
            Type = "openai_compatible",
            BaseUrl = $"http://127.0.0.1:{port}/v1",
            ApiKey = ApiKey,
            Model = "m",
        });

        var error = await CallAndTranslateAsync(client, stream: false, providerName: "down");

        Assert.Equal("AEG-PRV-003", error.Code);
        Assert.Contains("provider 'down'", error.Message, StringComparison.Ordinal);
        AssertNoSecret(error);
    }

    [Fact]
    public async Task A_slow_upstream_times_out_as_upstream_failed_not_as_caller_cancellation()
    {
        _upstream.Delay = TimeSpan.FromSeconds(30);
        using var client = new ChatProviderFactory().Create("slow", new ProviderOptions
        {
            Type = "openai_compatible",
            BaseUrl = _upstream.BaseUrl,
            ApiKey = ApiKey,
            Model = "m",
            TimeoutSeconds = 0.3,
        });

        var error = await CallAndTranslateAsync(client, stream: false, providerName: "slow");

        Assert.Equal("AEG-PRV-003", error.Code);
        Assert.Contains("provider 'slow'", error.Message, StringComparison.Ordinal);
        AssertNoSecret(error);
    }

    [Fact]
    public async Task Caller_cancellation_passes_through()
    {
        _upstream.Delay = TimeSpan.FromSeconds(30);
        using var client = CreateClient();
        using var cts = new CancellationTokenSource();

        var call = client.GetResponseAsync("hi", cancellationToken: cts.Token);
        for (var i = 0; _upstream.Requests.Count == 0; i++)
        {
            Assert.True(i < 3000, "the upstream never received the request");
            await Task.Delay(10);
        }

        await cts.CancelAsync();
        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.False(ProviderErrors.ShouldTranslate(thrown, cts.Token));
    }

    private IChatClient CreateClient() => new ChatProviderFactory().Create("upstream", new ProviderOptions
    {
        Type = "openai_compatible",
        BaseUrl = _upstream.BaseUrl,
        ApiKey = ApiKey,
        Model = "gpt-test-mini",
    });

    /// <summary>Calls the client the way the engine does and returns the translated error.</summary>
    private static async Task<AegisException> CallAndTranslateAsync(IChatClient client, bool stream, string prompt = "hi", string providerName = "upstream")
    {
        var token = CancellationToken.None;
        try
        {
            if (stream)
            {
                await foreach (var _ in client.GetStreamingResponseAsync(prompt, cancellationToken: token))
                {
                }
            }
            else
            {
                await client.GetResponseAsync(prompt, cancellationToken: token);
            }
        }
        catch (Exception ex) when (ProviderErrors.ShouldTranslate(ex, token))
        {
            return ProviderErrors.ToAegisException(ex, providerName);
        }

        throw new Xunit.Sdk.XunitException("the call did not fail");
    }

    private static void AssertNoSecret(AegisException error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            Assert.DoesNotContain(ApiKey, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Zq81VbT7", e.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(ApiKey, error.ToString(), StringComparison.Ordinal);
    }

    private static string ContentText(JsonNode message)
    {
        var content = message["content"]!;
        return content is JsonValue value
            ? value.GetValue<string>()
            : string.Concat(content.AsArray().Select(part => part!["text"]!.GetValue<string>()));
    }

    private static string? ArgumentText(object? argument) => argument switch
    {
        JsonElement element => element.GetString(),
        _ => argument?.ToString(),
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
