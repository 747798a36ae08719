using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Aegis.Core.Tests.Providers;

/// <summary>
/// The chat-completions client and the official SDK's M.E.AI adapter (what the providers used before) read the same
/// upstream answers into the same <see cref="ChatResponse"/>: text, tool calls, finish reason, usage, ids and times.
/// </summary>
public sealed class OpenAIClientParityTests : IAsyncLifetime
{
    private FakeOpenAIUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await FakeOpenAIUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task Both_clients_read_the_same_answer(bool stream, bool toolCall)
    {
        if (toolCall)
        {
            _upstream.ToolCall = new UpstreamToolCall("call_9", "get_weather", """{"city":"Oslo","days":2,"opts":{"metric":true}}""");
        }

        using var wire = new ChatProviderFactory().Create("upstream", new ProviderOptions
        {
            Type = "openai_compatible",
            BaseUrl = _upstream.BaseUrl,
            ApiKey = "sk-parity",
            Model = "gpt-parity",
        });
        using var sdk = new OpenAIClient(new ApiKeyCredential("sk-parity"), new OpenAIClientOptions
        {
            Endpoint = new Uri(_upstream.BaseUrl),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        }).GetChatClient("gpt-parity").AsIChatClient();
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string city, int days) => "sunny", "get_weather")] };

        var expected = await AskAsync(sdk, stream, options);
        var actual = await AskAsync(wire, stream, options);

        Assert.Equal(Describe(expected), Describe(actual));
    }

    private static async Task<ChatResponse> AskAsync(IChatClient client, bool stream, ChatOptions options)
    {
        if (!stream)
        {
            return await client.GetResponseAsync("Weather in Oslo?", options);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Weather in Oslo?", options))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    private static string Describe(ChatResponse response)
    {
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()
            .Select(c => $"{c.CallId}/{c.Name}/{JsonSerializer.Serialize(c.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))).ReplaceLineEndings("").Replace(" ", "", StringComparison.Ordinal)}/{c.Arguments?.Values.All(v => v is JsonElement)}");
        return string.Join(
            " | ",
            $"text={response.Text}",
            $"role={string.Join(",", response.Messages.Select(m => m.Role.Value))}",
            $"finish={response.FinishReason}",
            $"id={response.ResponseId}",
            $"model={response.ModelId}",
            $"created={response.CreatedAt:O}",
            $"usage={response.Usage?.InputTokenCount}/{response.Usage?.OutputTokenCount}/{response.Usage?.TotalTokenCount}",
            $"calls={string.Join(";", calls)}");
    }
}
