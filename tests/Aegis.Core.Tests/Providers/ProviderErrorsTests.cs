using System.ClientModel;
using System.Net;
using System.Net.Sockets;

namespace Aegis.Core.Tests.Providers;

public sealed class ProviderErrorsTests
{
    [Fact]
    public void An_AegisException_passes_through_unchanged()
    {
        var original = new AegisException(AegisErrors.PolicyBlocked, "guard x");

        Assert.False(ProviderErrors.ShouldTranslate(original, CancellationToken.None));
        Assert.Same(original, ProviderErrors.ToAegisException(original, "p"));
    }

    [Fact]
    public async Task Caller_cancellation_is_not_translated_but_a_timeout_is()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var cancelled = new TaskCanceledException("cancelled", null, cts.Token);

        Assert.False(ProviderErrors.ShouldTranslate(cancelled, cts.Token));

        var timeout = new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout", new TimeoutException());
        Assert.True(ProviderErrors.ShouldTranslate(timeout, CancellationToken.None));
        var error = ProviderErrors.ToAegisException(timeout, "slow");
        Assert.Equal(AegisErrors.ProviderUpstreamFailed, error.Error);
        Assert.Contains("provider 'slow'", error.Detail, StringComparison.Ordinal);
        Assert.Contains("timeout", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Http_request_failures_are_upstream_failed()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:9)", new SocketException((int)SocketError.ConnectionRefused));

        var error = ProviderErrors.ToAegisException(refused, "down");

        Assert.Equal(AegisErrors.ProviderUpstreamFailed, error.Error);
        Assert.Equal("provider 'down': the upstream could not be reached (ConnectionError)", error.Detail);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "AEG-PRV-005")]
    [InlineData(HttpStatusCode.Forbidden, "AEG-PRV-005")]
    [InlineData(HttpStatusCode.NotFound, "AEG-PRV-004")]
    [InlineData(HttpStatusCode.BadGateway, "AEG-PRV-003")]
    public void Http_statuses_from_other_clients_map_like_the_sdk(HttpStatusCode status, string code)
    {
        var error = ProviderErrors.ToAegisException(new HttpRequestException("Response status code does not indicate success: secret body", null, status), "p");

        Assert.Equal(code, error.Code);
        Assert.DoesNotContain("secret body", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_sdk_error_without_a_response_is_upstream_failed_and_does_not_leak_its_message()
    {
        var error = ProviderErrors.ToAegisException(new ClientResultException("HTTP 0 something with sk-abc"), "p");

        Assert.Equal(AegisErrors.ProviderUpstreamFailed, error.Error);
        Assert.DoesNotContain("sk-abc", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Any_other_failure_is_upstream_failed_naming_the_provider()
    {
        var error = ProviderErrors.ToAegisException(new FormatException("bad"), "custom");

        Assert.Equal(AegisErrors.ProviderUpstreamFailed, error.Error);
        Assert.Equal("provider 'custom': the call failed (FormatException)", error.Detail);
    }
}
