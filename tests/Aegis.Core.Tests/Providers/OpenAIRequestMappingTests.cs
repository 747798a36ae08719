using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Aegis.Core.Tests.Providers;

/// <summary>What the <c>openai</c> / <c>openai_compatible</c> client puts on the wire, read back by a loopback upstream.</summary>
public sealed class OpenAIRequestMappingTests : IAsyncLifetime
{
    private static readonly JsonElement WeatherSchema = JsonDocument.Parse(
        """{"type":"object","properties":{"city":{"type":"string","description":"City name"}},"required":["city"]}""").RootElement.Clone();

    private FakeOpenAIUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await FakeOpenAIUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task Every_option_reaches_the_wire_with_its_openai_name()
    {
        using var client = Create("openai_compatible");
        var options = new ChatOptions
        {
            ModelId = "route-model",
            Temperature = 0.7f,
            TopP = 0.9f,
            MaxOutputTokens = 321,
            PresencePenalty = 0.5f,
            FrequencyPenalty = -0.25f,
            Seed = 42,
            StopSequences = ["END", "\n\n"],
            AllowMultipleToolCalls = false,
            Tools = [AIFunctionFactory.CreateDeclaration("get_weather", "Weather of a city", WeatherSchema)],
            ToolMode = ChatToolMode.RequireAny,
            ResponseFormat = ChatResponseFormat.Json,
            AdditionalProperties = new() { ["user"] = "end-user-7" },
        };

        await client.GetResponseAsync("hi", options);

        var body = Sent();
        Assert.Equal("route-model", (string?)body["model"]);
        Assert.Equal(0.7, (double)body["temperature"]!, 6);
        Assert.Equal(0.9, (double)body["top_p"]!, 6);
        Assert.Equal(321, (int)body["max_tokens"]!);
        Assert.Null(body["max_completion_tokens"]);
        Assert.Equal(0.5, (double)body["presence_penalty"]!, 6);
        Assert.Equal(-0.25, (double)body["frequency_penalty"]!, 6);
        Assert.Equal(42, (long)body["seed"]!);
        Assert.Equal(["END", "\n\n"], body["stop"]!.AsArray().Select(s => (string)s!));
        Assert.False((bool)body["parallel_tool_calls"]!);
        Assert.Equal("required", (string?)body["tool_choice"]);
        Assert.Equal("json_object", (string?)body["response_format"]!["type"]);
        Assert.Equal("end-user-7", (string?)body["user"]);
        Assert.Null(body["stream"]);
        Assert.Null(body["stream_options"]);

        var tool = Assert.Single(body["tools"]!.AsArray())!;
        Assert.Equal("function", (string?)tool["type"]);
        Assert.Equal("get_weather", (string?)tool["function"]!["name"]);
        Assert.Equal("Weather of a city", (string?)tool["function"]!["description"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(WeatherSchema.GetRawText()), tool["function"]!["parameters"]));
    }

    [Fact]
    public async Task Without_options_only_the_model_and_messages_are_sent()
    {
        using var client = Create("openai_compatible");

        await client.GetResponseAsync("hi");

        Assert.Equal(["messages", "model"], Sent().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("provider-model", (string?)Sent()["model"]);
    }

    [Fact]
    public async Task The_openai_type_sends_max_completion_tokens()
    {
        using var client = Create("openai");

        await client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 64 });

        Assert.Equal(64, (int)Sent()["max_completion_tokens"]!);
        Assert.Null(Sent()["max_tokens"]);
    }

    [Theory]
    [InlineData("auto", "\"auto\"")]
    [InlineData("none", "\"none\"")]
    [InlineData("required", "\"required\"")]
    [InlineData("specific", """{"type":"function","function":{"name":"get_weather"}}""")]
    public async Task Tool_choice_maps_every_mode(string mode, string expected)
    {
        using var client = Create("openai_compatible");
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.CreateDeclaration("get_weather", "Weather", WeatherSchema)],
            ToolMode = mode switch
            {
                "auto" => ChatToolMode.Auto,
                "none" => ChatToolMode.None,
                "required" => ChatToolMode.RequireAny,
                _ => ChatToolMode.RequireSpecific("get_weather"),
            },
        };

        await client.GetResponseAsync("hi", options);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), Sent()["tool_choice"]), Sent()["tool_choice"]?.ToJsonString());
    }

    [Fact]
    public async Task Tool_choice_and_parallel_tool_calls_are_not_sent_without_function_tools()
    {
        using var client = Create("openai_compatible");

        await client.GetResponseAsync("hi", new ChatOptions { ToolMode = ChatToolMode.RequireAny, AllowMultipleToolCalls = true });

        Assert.Null(Sent()["tools"]);
        Assert.Null(Sent()["tool_choice"]);
        Assert.Null(Sent()["parallel_tool_calls"]);
    }

    [Fact]
    public async Task A_function_created_in_code_sends_its_generated_schema()
    {
        using var client = Create("openai_compatible");
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string city, int days) => "sunny", "forecast", "Forecast")] };

        await client.GetResponseAsync("hi", options);

        var parameters = Sent()["tools"]![0]!["function"]!["parameters"]!;
        Assert.Equal("object", (string?)parameters["type"]);
        Assert.Equal("string", (string?)parameters["properties"]!["city"]!["type"]);
        Assert.Equal("integer", (string?)parameters["properties"]!["days"]!["type"]);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json_schema")]
    public async Task Response_format_maps_text_and_json_schema(string kind)
    {
        using var client = Create("openai_compatible");
        ChatResponseFormat format = kind == "text" ? ChatResponseFormat.Text : ChatResponseFormat.ForJsonSchema(WeatherSchema, "weather", "A weather report");

        await client.GetResponseAsync("hi", new ChatOptions { ResponseFormat = format });

        var sent = Sent()["response_format"]!;
        Assert.Equal(kind, (string?)sent["type"]);
        if (kind == "json_schema")
        {
            Assert.Equal("weather", (string?)sent["json_schema"]!["name"]);
            Assert.Equal("A weather report", (string?)sent["json_schema"]!["description"]);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(WeatherSchema.GetRawText()), sent["json_schema"]!["schema"]));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Strict_flags_of_tools_and_json_schemas_reach_the_wire(bool strict)
    {
        using var client = Create("openai_compatible");
        var settings = new AIFunctionFactoryOptions
        {
            Name = "get_weather",
            AdditionalProperties = new Dictionary<string, object?> { [OpenAIConventions.StrictJsonSchema] = strict },
        };
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.Create((string city) => city, settings), AIFunctionFactory.CreateDeclaration("plain", "No settings", WeatherSchema)],
            ResponseFormat = ChatResponseFormat.ForJsonSchema(WeatherSchema, "weather"),
            AdditionalProperties = new() { [OpenAIConventions.StrictJsonSchema] = strict },
        };

        await client.GetResponseAsync("hi", options);

        var body = Sent();
        var tools = body["tools"]!.AsArray();
        Assert.Equal(strict, (bool)tools[0]!["function"]!["strict"]!);
        Assert.Equal(strict, (bool)tools[1]!["function"]!["strict"]!); // no setting of its own: the options'
        Assert.Equal(strict, (bool)body["response_format"]!["json_schema"]!["strict"]!);
        Assert.Null(body[OpenAIConventions.StrictJsonSchema]);
    }

    [Fact]
    public async Task A_tool_setting_wins_over_the_options_and_no_setting_sends_no_strict()
    {
        using var client = Create("openai_compatible");
        var loose = new AIFunctionFactoryOptions { Name = "loose", AdditionalProperties = new Dictionary<string, object?> { [OpenAIConventions.StrictJsonSchema] = false } };

        await client.GetResponseAsync("hi", new ChatOptions
        {
            Tools = [AIFunctionFactory.Create((string city) => city, loose)],
            AdditionalProperties = new() { [OpenAIConventions.StrictJsonSchema] = true },
        });
        Assert.False((bool)Sent()["tools"]![0]!["function"]!["strict"]!);

        await client.GetResponseAsync("hi", new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("plain", "No settings", WeatherSchema)] });
        Assert.Null(Sent()["tools"]![0]!["function"]!["strict"]);
    }

    [Fact]
    public async Task Without_a_strict_setting_no_strict_field_is_sent()
    {
        using var client = Create("openai_compatible");

        await client.GetResponseAsync("hi", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(WeatherSchema, "weather") });

        Assert.Null(Sent()["response_format"]!["json_schema"]!["strict"]);
    }

    [Fact]
    public async Task Roles_names_and_content_parts_are_mapped()
    {
        using var client = Create("openai_compatible");
        var png = new DataContent("data:image/png;base64,iVBORw0KGgo=");
        var remote = new UriContent(new Uri("https://images.example/cat.jpg?size=large"), "image/jpeg");
        remote.AdditionalProperties = new() { ["detail"] = "low" };

        await client.GetResponseAsync(
        [
            new ChatMessage(ChatRole.System, "Be terse.") { AuthorName = "ops" },
            new ChatMessage(new ChatRole("developer"), "Prefer metric units."),
            new ChatMessage(ChatRole.User, [new TextContent("What is in these?"), png, remote]) { AuthorName = "jane" },
            new ChatMessage(ChatRole.Assistant, "A cat.") { AuthorName = "bot" },
            new ChatMessage(ChatRole.User, "Thanks, ünïcødé ✓ <b>&</b>"),
        ]);

        var messages = Sent()["messages"]!.AsArray();
        Assert.Equal(["system", "developer", "user", "assistant", "user"], messages.Select(m => (string?)m!["role"]));
        Assert.Equal("Be terse.", (string?)messages[0]!["content"]);
        Assert.Equal("ops", (string?)messages[0]!["name"]);
        Assert.Equal("Prefer metric units.", (string?)messages[1]!["content"]);
        Assert.Null(messages[1]!["name"]);

        var parts = messages[2]!["content"]!.AsArray();
        Assert.Equal(3, parts.Count);
        Assert.Equal("text", (string?)parts[0]!["type"]);
        Assert.Equal("What is in these?", (string?)parts[0]!["text"]);
        Assert.Equal("image_url", (string?)parts[1]!["type"]);
        Assert.Equal("data:image/png;base64,iVBORw0KGgo=", (string?)parts[1]!["image_url"]!["url"]);
        Assert.Equal("https://images.example/cat.jpg?size=large", (string?)parts[2]!["image_url"]!["url"]);
        Assert.Equal("low", (string?)parts[2]!["image_url"]!["detail"]);
        Assert.Equal("jane", (string?)messages[2]!["name"]);

        Assert.Equal("A cat.", (string?)messages[3]!["content"]);
        Assert.Equal("bot", (string?)messages[3]!["name"]);
        Assert.Equal("Thanks, ünïcødé ✓ <b>&</b>", (string?)messages[4]!["content"]);

        // Non-ASCII text and HTML characters travel as UTF-8, not as \u escapes.
        Assert.Contains("ünïcødé ✓ <b>&</b>", _upstream.Requests[^1].RawBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assistant_tool_calls_and_tool_results_go_back_as_openai_messages()
    {
        using var client = Create("openai_compatible");
        var arguments = new Dictionary<string, object?>
        {
            ["city"] = JsonDocument.Parse("\"Paris\"").RootElement.Clone(),
            ["days"] = 3,
            ["units"] = "metric",
            ["nested"] = JsonDocument.Parse("""{"a":[1,2]}""").RootElement.Clone(),
        };

        await client.GetResponseAsync(
        [
            new ChatMessage(ChatRole.User, "Weather in Paris and Rome?"),
            new ChatMessage(ChatRole.Assistant,
            [
                new TextContent("Checking both."),
                new FunctionCallContent("call_1", "get_weather", arguments),
                new FunctionCallContent("call_2", "get_time", null),
            ]),
            new ChatMessage(ChatRole.Tool,
            [
                new FunctionResultContent("call_1", "sunny, 21 C"),
                new FunctionResultContent("call_2", JsonDocument.Parse("""{"time":"12:00"}""").RootElement.Clone()),
            ]),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_3", "noop", new Dictionary<string, object?>())]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_3", null)]),
        ]);

        var messages = Sent()["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "tool", "tool", "assistant", "tool"], messages.Select(m => (string?)m!["role"]));

        var assistant = messages[1]!;
        Assert.Equal("Checking both.", (string?)assistant["content"]);
        var calls = assistant["tool_calls"]!.AsArray();
        Assert.Equal(2, calls.Count);
        Assert.Equal("call_1", (string?)calls[0]!["id"]);
        Assert.Equal("function", (string?)calls[0]!["type"]);
        Assert.Equal("get_weather", (string?)calls[0]!["function"]!["name"]);
        var sentArguments = JsonNode.Parse((string)calls[0]!["function"]!["arguments"]!)!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"city":"Paris","days":3,"units":"metric","nested":{"a":[1,2]}}"""), sentArguments), sentArguments.ToJsonString());
        Assert.Equal("{}", (string?)calls[1]!["function"]!["arguments"]);

        Assert.Equal("call_1", (string?)messages[2]!["tool_call_id"]);
        Assert.Equal("sunny, 21 C", (string?)messages[2]!["content"]);
        Assert.Equal("call_2", (string?)messages[3]!["tool_call_id"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"time":"12:00"}"""), JsonNode.Parse((string)messages[3]!["content"]!)));

        // An assistant message with only tool calls has no content field at all; a null result is empty text.
        Assert.False(messages[4]!.AsObject().ContainsKey("content"));
        Assert.Equal("{}", (string?)messages[4]!["tool_calls"]![0]!["function"]!["arguments"]);
        Assert.Equal("", (string?)messages[5]!["content"]);
    }

    [Fact]
    public async Task Instructions_come_first_as_a_system_message()
    {
        using var client = Create("openai_compatible");

        await client.GetResponseAsync("hi", new ChatOptions { Instructions = "Answer in French." });

        var first = Sent()["messages"]![0]!;
        Assert.Equal("system", (string?)first["role"]);
        Assert.Equal("Answer in French.", (string?)first["content"]);
    }

    [Fact]
    public async Task Streaming_asks_for_usage_and_the_body_has_a_content_length()
    {
        using var client = Create("openai_compatible");

        await foreach (var _ in client.GetStreamingResponseAsync("hi"))
        {
        }

        var request = Assert.Single(_upstream.Requests);
        Assert.True((bool)request.Body["stream"]!);
        Assert.True((bool)request.Body["stream_options"]!["include_usage"]!);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(request.RawBody), request.ContentLength);
        Assert.Equal("", request.TransferEncoding);
        Assert.Equal("application/json", request.ContentType);
    }

    [Fact]
    public async Task A_large_request_is_sent_whole()
    {
        using var client = Create("openai_compatible");
        var text = string.Concat(Enumerable.Repeat("0123456789abcdef", 64 * 1024)); // 1 MiB, beyond any initial buffer

        await client.GetResponseAsync(text);

        Assert.Equal(text, (string?)Sent()["messages"]![0]!["content"]);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(_upstream.Requests[^1].RawBody), _upstream.Requests[^1].ContentLength);
    }

    private JsonObject Sent() => _upstream.Requests[^1].Body;

    private IChatClient Create(string type) => new ChatProviderFactory().Create("upstream", new ProviderOptions
    {
        Type = type,
        BaseUrl = _upstream.BaseUrl,
        ApiKey = "sk-test-mapping",
        Model = "provider-model",
    });
}
