using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using Aegis.Benchmarking;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Aegis.Benchmarks;

/// <summary>
/// One upstream call through a provider's <see cref="IChatClient"/> to the load test's mock upstream, in-process on
/// loopback (<see cref="MockOpenAIUpstream"/>): a non-streamed call (a ~1.1 KB <c>chat.completion</c>) and a streamed one
/// (20 SSE chunks), on a system message and a 1 KB prompt.
/// <list type="bullet">
/// <item><c>Sdk</c>: what <c>openai_compatible</c> built before: the official OpenAI SDK with the M.E.AI adapter
/// (<c>AsIChatClient()</c>), no retries, over an <see cref="HttpClient"/> with automatic decompression and redirects on.</item>
/// <item><c>Wire</c>: what it builds now: <c>ChatProviderFactory</c>'s chat-completions client over the shared handler
/// (no decompression, no redirects).</item>
/// <item><c>WireOldHandler</c>: the new client over the old handler settings, to price decompression and redirects alone.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
public class ProviderClientBenchmarks
{
    private MockOpenAIUpstream _mock = null!;
    private HttpClient? _oldHandlerClient;
    private IChatClient _client = null!;
    private ChatMessage[] _messages = [];

    /// <summary>Which client is measured.</summary>
    [Params("Sdk", "Wire", "WireOldHandler")]
    public string Client { get; set; } = "Wire";

    [GlobalSetup]
    public void GlobalSetup()
    {
        _mock = MockOpenAIUpstream.StartAsync(latencyMs: 0).GetAwaiter().GetResult();
        _messages = [new ChatMessage(ChatRole.System, "You are a helpful assistant."), new ChatMessage(ChatRole.User, Prompts.Make(1024))];
        _client = Client switch
        {
            "Sdk" => CreateSdkClient(_oldHandlerClient = CreateOldHandlerClient(), _mock.BaseUrl),
            "WireOldHandler" => new ChatProviderFactory(_oldHandlerClient = CreateOldHandlerClient()).Create("mock", Options()),
            _ => new ChatProviderFactory().Create("mock", Options()),
        };

        // Both must work before they are timed.
        var response = _client.GetResponseAsync(_messages).GetAwaiter().GetResult();
        if (response.Text != BenchmarkTexts.Answer || response.Usage?.TotalTokenCount != 410)
        {
            throw new InvalidOperationException($"{Client}: unexpected answer");
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _client.Dispose();
        _oldHandlerClient?.Dispose();
        _mock.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>A non-streamed call.</summary>
    [Benchmark]
    public async Task<int> GetResponse()
    {
        var response = await _client.GetResponseAsync(_messages).ConfigureAwait(false);
        return response.Messages[0].Contents.Count;
    }

    /// <summary>A streamed call, consumed to the end.</summary>
    [Benchmark]
    public async Task<int> GetStreamingResponse()
    {
        var n = 0;
        await foreach (var update in _client.GetStreamingResponseAsync(_messages).ConfigureAwait(false))
        {
            n += update.Contents.Count;
        }

        return n;
    }

    private ProviderOptions Options() => new()
    {
        Type = "openai_compatible",
        BaseUrl = _mock.BaseUrl.ToString(),
        ApiKey = "sk-bench",
        Model = "mock-model",
    };

    /// <summary>The handler settings of <c>ProviderHttp</c> before the chat-completions client.</summary>
    private static HttpClient CreateOldHandlerClient() => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        ConnectTimeout = TimeSpan.FromSeconds(30),
        AutomaticDecompression = DecompressionMethods.All,
        EnableMultipleHttp2Connections = true,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>The client <c>ChatProviderFactory</c> built for <c>openai_compatible</c> before.</summary>
    private static IChatClient CreateSdkClient(HttpClient http, Uri endpoint) =>
        new OpenAIClient(new ApiKeyCredential("sk-bench"), new OpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = ChatProviderFactory.DefaultTimeout,
            Endpoint = endpoint,
        }).GetChatClient("mock-model").AsIChatClient();
}
