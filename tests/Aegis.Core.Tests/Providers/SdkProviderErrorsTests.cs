using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Aegis.Core.Tests.Providers;

/// <summary>
/// A provider built on the official OpenAI SDK and registered in code still gets its failures mapped: the SDK throws
/// <see cref="ClientResultException"/>, which <see cref="ProviderErrors"/> keeps understanding.
/// </summary>
public sealed class SdkProviderErrorsTests : IAsyncLifetime
{
    private const string ApiKey = "sk-sdk-Vq38ZpL0wXk2";
    private FakeOpenAIUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await FakeOpenAIUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Theory]
    [InlineData(401, "invalid_api_key", "AEG-PRV-005")]
    [InlineData(404, "model_not_found", "AEG-PRV-004")]
    [InlineData(500, "server_error", "AEG-PRV-003")]
    public async Task Sdk_status_failures_map_with_the_code_and_without_the_key(int status, string code, string expected)
    {
        _upstream.Status = status;
        _upstream.ErrorCode = code;
        using var client = Create(_upstream.BaseUrl);

        var error = await OpenAIResponseReadingTests.TranslatedAsync(() => client.GetResponseAsync("hi"));

        Assert.Equal(expected, error.Code);
        Assert.Equal($"provider 'upstream': HTTP {status} ({code})", error.Detail);
        Assert.DoesNotContain(ApiKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_upstream_through_the_sdk_is_upstream_failed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = Create($"http://127.0.0.1:{port}/v1");

        var error = await OpenAIResponseReadingTests.TranslatedAsync(() => client.GetResponseAsync("hi"));

        Assert.Equal("AEG-PRV-003", error.Code);
        Assert.StartsWith("provider 'upstream': the upstream could not be reached", error.Detail, StringComparison.Ordinal);
    }

    private static IChatClient Create(string baseUrl)
    {
        var factory = new ChatProviderFactory().Register("openai_sdk", (_, options) =>
            new OpenAIClient(new ApiKeyCredential(options.ApiKey!), new OpenAIClientOptions
            {
                Endpoint = new Uri(options.BaseUrl!),
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            }).GetChatClient(options.Model).AsIChatClient());
        return factory.Create("upstream", new ProviderOptions { Type = "openai_sdk", BaseUrl = baseUrl, ApiKey = ApiKey, Model = "m" });
    }
}
