using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Aegis.Core.Tests.Providers;

/// <summary>How the <c>openai</c> / <c>openai_compatible</c> client reads non-streamed answers, unusual and broken ones included.</summary>
public sealed class OpenAIResponseReadingTests : IAsyncLifetime
{
    private FakeOpenAIUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await FakeOpenAIUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task Id_model_created_finish_reason_and_detailed_usage_are_read_and_unknown_fields_skipped()
    {
        _upstream.RawBody = """
            {
              "id": "chatcmpl-abc", "object": "chat.completion", "created": 1700000123, "model": "gpt-x-2025",
              "system_fingerprint": "fp_1", "service_tier": "default", "future_field": {"deep": [1, {"x": null}], "s": "\"}"},
              "choices": [{
                "index": 0, "logprobs": null, "finish_reason": "length",
                "message": {"role": "assistant", "content": "Half an answer", "annotations": [], "audio": null, "extra": {"y": 1}}
              }],
              "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18,
                        "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
                        "completion_tokens_details": {"reasoning_tokens": 3, "accepted_prediction_tokens": 0}}
            }
            """;
        using var client = CreateClient();

        var response = await client.GetResponseAsync("hi");

        Assert.Equal("Half an answer", response.Text);
        Assert.Equal("chatcmpl-abc", response.ResponseId);
        Assert.Equal("chatcmpl-abc", Assert.Single(response.Messages).MessageId);
        Assert.Equal(ChatRole.Assistant, response.Messages[0].Role);
        Assert.Equal("gpt-x-2025", response.ModelId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000123), response.CreatedAt);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(11, response.Usage!.InputTokenCount);
        Assert.Equal(7, response.Usage.OutputTokenCount);
        Assert.Equal(18, response.Usage.TotalTokenCount);
        Assert.Equal(4, response.Usage.CachedInputTokenCount);
        Assert.Equal(3, response.Usage.ReasoningTokenCount);
    }

    [Theory]
    [InlineData("stop", "stop")]
    [InlineData("tool_calls", "tool_calls")]
    [InlineData("function_call", "tool_calls")]
    [InlineData("content_filter", "content_filter")]
    [InlineData("eos_token", "eos_token")]
    public async Task Finish_reasons_map_to_ChatFinishReason(string wire, string expected)
    {
        _upstream.RawBody = Completion(finishReason: wire);
        using var client = CreateClient();

        var response = await client.GetResponseAsync("hi");

        Assert.Equal(new ChatFinishReason(expected), response.FinishReason);
    }

    [Fact]
    public async Task Tool_calls_carry_arguments_as_json_elements_the_way_the_gateway_reads_them()
    {
        _upstream.RawBody = """
            {"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"tool_calls",
             "message":{"role":"assistant","content":null,"tool_calls":[
               {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris \\\"Nord\\\"\",\"days\":3,\"tags\":[\"x\"]}"}},
               {"id":"call_b","type":"function","function":{"name":"ping","arguments":""}},
               {"id":"call_c","type":"function","function":{"name":"broken","arguments":"{not json"}},
               {"id":"call_d","type":"function","function":{"name":"","arguments":"{}"}}
             ]}}]}
            """;
        using var client = CreateClient();

        var response = await client.GetResponseAsync("hi");

        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["call_a", "call_b", "call_c"], calls.Select(c => c.CallId));

        var weather = calls[0];
        Assert.Equal("get_weather", weather.Name);
        Assert.Null(weather.Exception);
        var city = Assert.IsType<JsonElement>(weather.Arguments!["city"]);
        Assert.Equal("Paris \"Nord\"", city.GetString());
        Assert.Equal(3, Assert.IsType<JsonElement>(weather.Arguments["days"]).GetInt32());
        Assert.Equal(JsonValueKind.Array, Assert.IsType<JsonElement>(weather.Arguments["tags"]).ValueKind);

        Assert.Empty(calls[1].Arguments!);
        Assert.Null(calls[1].Exception);

        // Arguments that are not JSON do not fail the answer: the call says so, as with the M.E.AI adapter.
        Assert.Null(calls[2].Arguments);
        Assert.IsType<InvalidOperationException>(calls[2].Exception);
    }

    [Fact]
    public async Task Text_and_tool_calls_in_one_message_are_both_kept_and_a_refusal_is_an_error_content()
    {
        _upstream.RawBody = """
            {"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop",
             "message":{"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}],
                        "content":"Calling f.","refusal":"I will not do the other part.","role":"assistant"}}]}
            """;
        using var client = CreateClient();

        var response = await client.GetResponseAsync("hi");

        var contents = Assert.Single(response.Messages).Contents;
        Assert.IsType<TextContent>(contents[0]);
        Assert.Equal("Calling f.", response.Text);
        Assert.IsType<FunctionCallContent>(contents[1]);
        var refusal = Assert.IsType<ErrorContent>(contents[2]);
        Assert.Equal("Refusal", refusal.ErrorCode);
        Assert.Equal("I will not do the other part.", refusal.Message);
    }

    [Fact]
    public async Task Only_the_first_choice_is_the_answer()
    {
        _upstream.RawBody = """
            {"id":"c","created":1,"model":"m","choices":[
              {"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"first"}},
              {"index":1,"finish_reason":"stop","message":{"role":"assistant","content":"second"}}]}
            """;
        using var client = CreateClient();

        Assert.Equal("first", (await client.GetResponseAsync("hi")).Text);
    }

    [Fact]
    public async Task Content_parts_in_an_answer_are_read_as_text()
    {
        _upstream.RawBody = """
            {"id":"c","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop",
             "message":{"role":"assistant","content":[{"type":"text","text":"Hello "},{"type":"text","text":"there"}]}}]}
            """;
        using var client = CreateClient();

        Assert.Equal("Hello there", (await client.GetResponseAsync("hi")).Text);
    }

    [Theory]
    [InlineData("", "application/json")]
    [InlineData("not json at all", "application/json")]
    [InlineData("<html><body>502 Bad Gateway</body></html>", "text/html")]
    [InlineData("[]", "application/json")]
    [InlineData("{}", "application/json")]
    [InlineData("""{"choices":[]}""", "application/json")]
    [InlineData("""{"choices":"none"}""", "application/json")]
    [InlineData("""{"choices":[{"message":{"content":42}}]}""", "application/json")]
    [InlineData("""{"choices":[{"message":{"content":"cut off""", "application/json")]
    [InlineData("""{"usage":{"prompt_tokens":"many"},"choices":[{"message":{"content":"x"}}]}""", "application/json")]
    public async Task A_malformed_answer_is_upstream_failed_and_never_leaks_the_body(string body, string contentType)
    {
        _upstream.RawBody = body.Length == 0 ? body : body + " sk-leak-marker";
        _upstream.RawContentType = contentType;
        using var client = CreateClient();

        var error = await TranslatedAsync(() => client.GetResponseAsync("hi"));

        Assert.Equal("AEG-PRV-003", error.Code);
        Assert.Equal("provider 'upstream': the upstream answered a malformed response", error.Detail);
        Assert.DoesNotContain("sk-leak-marker", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Bad Gateway", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_without_a_code_reports_its_type()
    {
        _upstream.Status = 503;
        _upstream.ErrorCode = null!;
        using var client = CreateClient();

        var error = await TranslatedAsync(() => client.GetResponseAsync("hi"));

        Assert.Equal("AEG-PRV-003", error.Code);
        Assert.Equal("provider 'upstream': HTTP 503 (invalid_request_error)", error.Detail);
    }

    [Fact]
    public async Task A_redirect_is_not_followed()
    {
        await using var redirecting = await FakeOpenAIUpstream.StartAsync();
        redirecting.RedirectTo = _upstream.BaseUrl + "/chat/completions";
        using var client = new ChatProviderFactory().Create("upstream", new ProviderOptions
        {
            Type = "openai_compatible",
            BaseUrl = redirecting.BaseUrl,
            Model = "m",
        });

        var error = await TranslatedAsync(() => client.GetResponseAsync("hi"));

        Assert.Equal("AEG-PRV-003", error.Code);
        Assert.Equal("provider 'upstream': HTTP 307", error.Detail);
        Assert.Single(redirecting.Requests);
        Assert.Empty(_upstream.Requests);
    }

    private IChatClient CreateClient() => new ChatProviderFactory().Create("upstream", new ProviderOptions
    {
        Type = "openai_compatible",
        BaseUrl = _upstream.BaseUrl,
        ApiKey = "sk-test-reading",
        Model = "m",
    });

    private static string Completion(string finishReason) =>
        """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"REASON","message":{"role":"assistant","content":"x"}}]}""".Replace("REASON", finishReason, StringComparison.Ordinal);

    internal static async Task<AegisException> TranslatedAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception ex) when (ProviderErrors.ShouldTranslate(ex, CancellationToken.None))
        {
            return ProviderErrors.ToAegisException(ex, "upstream");
        }

        throw new Xunit.Sdk.XunitException("the call did not fail");
    }
}
