using System.ClientModel;
using System.Runtime.CompilerServices;
using System.Text;
using Aegis.AspNetCore.Tests.Infrastructure;
using global::OpenAI;
using global::OpenAI.Chat;
using Microsoft.Extensions.AI;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;

namespace Aegis.AspNetCore.Tests.OpenAI;

/// <summary>
/// A model's refusal reaches an OpenAI client as <c>refusal</c> (streamed as <c>delta.refusal</c>), after the egress
/// guards: a placeholder in it is restored and a value the model made up in it is masked, as in any answer.
/// </summary>
public sealed class RefusalRelayTests : IAsyncLifetime
{
    private const string Prompt = "Please write to jane@example.com for me.";
    private const string Refusal = "I cannot send mail to <EMAIL_ADDRESS_1> or to boss@corp.example.";
    private const string Guarded = "I cannot send mail to jane@example.com or to <EMAIL_ADDRESS_2>.";
    private TestGateway _gateway = null!;
    private ChatClient _client = null!;

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartWithProviderAsync(new RefusingChatClient(), o =>
        {
            o.Guardrails["pii"] = new GuardrailOptions { Pack = "pii", Mode = "mask" };
            o.Pipeline.Ingress = ["pii"];
            o.Pipeline.Egress = ["pii"];
        });
        _client = new ChatClient("default", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(_gateway.BaseAddress, "v1") });
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_refusal_comes_back_as_refusal_guarded_like_any_answer()
    {
        ChatCompletion completion = await _client.CompleteChatAsync([new UserChatMessage(Prompt)]);

        Assert.Equal(Guarded, completion.Refusal);
        Assert.Empty(completion.Content);
    }

    [Fact]
    public async Task A_streamed_refusal_comes_back_as_refusal_deltas_guarded_like_any_answer()
    {
        var refusal = new StringBuilder();
        var text = new StringBuilder();
        await foreach (var update in _client.CompleteChatStreamingAsync([new UserChatMessage(Prompt)]))
        {
            refusal.Append(update.RefusalUpdate);
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal(Guarded, refusal.ToString());
        Assert.Equal(string.Empty, text.ToString());
    }

    /// <summary>Refuses, naming the caller's address by its placeholder and making one up, in two streamed parts.</summary>
    private sealed class RefusingChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new AIChatMessage(AIChatRole.Assistant, [new ErrorContent(Refusal) { ErrorCode = OpenAIConventions.RefusalErrorCode }])));

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<AIChatMessage> messages,
            ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var half = Refusal.Length / 2;
            yield return new ChatResponseUpdate(AIChatRole.Assistant, [new ErrorContent(Refusal[..half]) { ErrorCode = OpenAIConventions.RefusalErrorCode }]);
            await Task.Yield();
            yield return new ChatResponseUpdate(AIChatRole.Assistant, [new ErrorContent(Refusal[half..]) { ErrorCode = OpenAIConventions.RefusalErrorCode }]);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
