using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Aegis.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace Aegis.AspNetCore.Tests.OpenAI;

/// <summary>
/// A streamed completion on a route whose egress is incremental is relayed as the provider produces it: the client
/// reads the first chunk while the provider is still holding the rest back. A gateway that buffered the answer
/// (or held frames until more arrived) never shows the first chunk, and the test fails on its timeout.
/// </summary>
public sealed class StreamingRelayTests
{
    [Fact]
    public async Task Chunks_reach_the_client_while_the_provider_is_still_answering()
    {
        // Longer than the pii stream's hold-back window, so part of it may be released before the stream ends.
        var first = "first part: " + string.Concat(Enumerable.Repeat("the answer goes on in plain words. ", 20));
        var provider = new GatedChatClient(first, "second part");
        await using var gateway = await TestGateway.StartWithProviderAsync(provider, o =>
        {
            o.Guardrails["pii"] = new GuardrailOptions { Pack = "pii", Mode = "mask" };
            o.Pipeline.Egress = ["pii"];
        });
        var client = gateway.Client;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("""{"model":"default","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);

        var seen = new StringBuilder();
        var buffer = new byte[4096];
        while (!seen.ToString().Contains("first part", StringComparison.Ordinal))
        {
            var read = await body.ReadAsync(buffer, timeout.Token);
            Assert.True(read > 0, "the stream ended before the first chunk");
            seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        Assert.DoesNotContain("second part", seen.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", seen.ToString(), StringComparison.Ordinal);
        provider.Release();

        int n;
        while ((n = await body.ReadAsync(buffer, timeout.Token)) > 0)
        {
            seen.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        var text = seen.ToString();
        Assert.Contains("second part", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
    }

    /// <summary>Streams its first chunk at once and the second only after <see cref="Release"/>.</summary>
    private sealed class GatedChatClient(string first, string second) : IChatClient
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.TrySetResult();

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, first + second)));

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, first);
            await _gate.Task.WaitAsync(cancellationToken);
            yield return new ChatResponseUpdate(ChatRole.Assistant, second) { FinishReason = ChatFinishReason.Stop };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
