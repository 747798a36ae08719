using System.ClientModel;
using System.Text;
using Aegis.AspNetCore.Tests.Infrastructure;
using global::OpenAI;
using global::OpenAI.Chat;

namespace Aegis.AspNetCore.Tests.OpenAI;

/// <summary>The official OpenAI .NET SDK against the gateway over real loopback HTTP.</summary>
public sealed class OpenAISdkTests
{
    private static ChatClient Client(TestGateway gateway, string key, string model = "default") =>
        new(model, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseAddress, "v1") });

    [Fact]
    public async Task Chat_completion()
    {
        await using var gateway = await TestGateway.StartAsync();
        var client = Client(gateway, await gateway.CreateKeyAsync("alice"));

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Hello from the SDK")]);

        Assert.Equal("Hello from the SDK", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.StartsWith("chatcmpl-", completion.Id, StringComparison.Ordinal);
        Assert.True(completion.Usage.TotalTokenCount > 0);
    }

    [Fact]
    public async Task Streamed_text_reassembles_to_the_non_streamed_text()
    {
        await using var gateway = await TestGateway.StartAsync();
        var client = Client(gateway, await gateway.CreateKeyAsync("alice"));
        const string Prompt = "A longer prompt so that the fake provider splits it into several chunks, one after another.";

        ChatCompletion whole = await client.CompleteChatAsync([new UserChatMessage(Prompt)]);
        var streamed = new StringBuilder();
        ChatFinishReason? finish = null;
        var updates = 0;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage(Prompt)], new ChatCompletionOptions()))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }

            finish = update.FinishReason ?? finish;
        }

        Assert.Equal(whole.Content[0].Text, streamed.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.True(updates > 2);
    }

    [Fact]
    public async Task Tool_call_round_trip()
    {
        await using var gateway = await TestGateway.StartAsync();
        var client = Client(gateway, await gateway.CreateKeyAsync("alice"), "scripted");
        var tool = ChatTool.CreateFunctionTool("get_weather", "Current weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));
        var options = new ChatCompletionOptions { Tools = { tool } };
        List<ChatMessage> messages = [new UserChatMessage("What is the weather in Paris?")];

        ChatCompletion first = await client.CompleteChatAsync(messages, options);
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Contains("Paris", call.FunctionArguments.ToString(), StringComparison.Ordinal);

        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "18 degrees and sunny"));
        ChatCompletion second = await client.CompleteChatAsync(messages, options);

        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Empty(second.ToolCalls);
        Assert.Equal("What is the weather in Paris?", second.Content[0].Text);
    }

    [Fact]
    public async Task Invalid_key_surfaces_auth_001_in_the_sdk_exception()
    {
        await using var gateway = await TestGateway.StartAsync();
        var client = Client(gateway, "aeg-" + new string('f', 64));

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(401, ex.Status);
        Assert.Contains("AEG-AUTH-001", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blocked_run_surfaces_its_code_in_the_sdk_exception()
    {
        await using var gateway = await TestGateway.StartAsync();
        var client = Client(gateway, await gateway.CreateKeyAsync("alice"));

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("this is forbidden")]));
        Assert.Equal(403, ex.Status);
        Assert.Contains("AEG-POL-004", ex.Message, StringComparison.Ordinal);

        var streamed = await Assert.ThrowsAsync<ClientResultException>(async () =>
        {
            await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("approve-me please")], new ChatCompletionOptions()))
            {
                Assert.Fail("no update expected: " + update.CompletionId);
            }
        });
        Assert.Equal(409, streamed.Status);
        Assert.Contains("AEG-POL-005", streamed.Message, StringComparison.Ordinal);
    }
}
