using System.Net;
using System.Text;
using Aegis.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace Aegis.AspNetCore.Tests.OpenAI;

/// <summary>What an OpenAI client's request settings become in the <see cref="ChatOptions"/> the provider receives.</summary>
public sealed class RequestOptionsTests : IAsyncLifetime
{
    private readonly CapturingChatClient _provider = new();
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartWithProviderAsync(_provider);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Strict_tools_and_a_strict_json_schema_are_passed_on_as_the_openai_adapter_names_them()
    {
        var response = await PostAsync("""
            {"model":"default","messages":[{"role":"user","content":"hi"}],
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{}},"strict":true}},
                      {"type":"function","function":{"name":"loose","strict":false}},
                      {"type":"function","function":{"name":"plain"}}],
             "response_format":{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object"},"strict":true}}}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var options = _provider.Options!;
        var tools = options.Tools!.Cast<AIFunctionDeclaration>().ToList();
        Assert.Equal(["get_weather", "loose", "plain"], tools.Select(t => t.Name));
        Assert.Equal(true, tools[0].AdditionalProperties[OpenAIConventions.StrictJsonSchema]);
        Assert.Equal(false, tools[1].AdditionalProperties[OpenAIConventions.StrictJsonSchema]);
        // Unmarked, it is marked not strict: the strict response format (in the options) must not make it strict.
        Assert.Equal(false, tools[2].AdditionalProperties[OpenAIConventions.StrictJsonSchema]);
        Assert.Equal(true, options.AdditionalProperties![OpenAIConventions.StrictJsonSchema]);
        Assert.IsType<ChatResponseFormatJson>(options.ResponseFormat);
    }

    [Fact]
    public async Task Tools_the_client_left_unmarked_stay_unmarked_without_a_strict_response_format()
    {
        var response = await PostAsync("""
            {"model":"default","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"plain"}}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tool = Assert.IsAssignableFrom<AIFunctionDeclaration>(Assert.Single(_provider.Options!.Tools!));
        Assert.Empty(tool.AdditionalProperties);
        Assert.Null(_provider.Options.AdditionalProperties);
    }

    [Fact]
    public async Task A_strict_that_is_not_a_boolean_is_a_coded_error()
    {
        var response = await PostAsync("""
            {"model":"default","messages":[{"role":"user","content":"hi"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object"},"strict":"yes"}}}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains(AegisErrors.RequestInvalidField.Code, body, StringComparison.Ordinal);
        Assert.Contains("response_format.json_schema.strict", body, StringComparison.Ordinal);
        Assert.Null(_provider.Options);
    }

    private async Task<HttpResponseMessage> PostAsync(string json) =>
        await _gateway.Client.PostAsync(new Uri("v1/chat/completions", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>Answers "ok" and keeps the options of the last call.</summary>
    private sealed class CapturingChatClient : IChatClient
    {
        public ChatOptions? Options { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Options = options;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("these tests do not stream");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
