namespace Aegis.Providers;

/// <summary>The process-wide HTTP client of the built-in HTTP providers.</summary>
/// <remarks>
/// <para>One <see cref="HttpClient"/> over one <see cref="SocketsHttpHandler"/>: connections are pooled and reused
/// across providers and requests, and recycled every two minutes so DNS changes are picked up. The client has no
/// timeout of its own; each provider applies its <c>timeout_seconds</c> per call.</para>
/// <para>Redirects are not followed: the requests are POSTs to an API, and replaying one (body and key) to wherever a
/// <c>Location</c> header points is not something a gateway should do on its own; a 3xx answer is an upstream failure
/// and <c>base_url</c> should name the final address. Responses are not decompressed and no <c>Accept-Encoding</c> is
/// sent: chat-completions answers are a few kilobytes, model APIs answer uncompressed unless asked, and a compressed
/// event stream would be held back by the compressor's buffering on the way. Measured on the loopback benchmark
/// (<c>ProviderClientBenchmarks</c>, <c>WireOldHandler</c> against <c>Wire</c>, an upstream that does not compress),
/// the two cost about 0.7 KB of allocations per call (the <c>Accept-Encoding</c> header, the decompression handler's
/// checks) and no time measurable on a shared machine: small, but for nothing.</para>
/// </remarks>
internal static class ProviderHttp
{
    private static readonly Lazy<HttpClient> Client = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shared client; never disposed (it lives as long as the process).</summary>
    public static HttpClient Shared => Client.Value;

    private static HttpClient Create()
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            AllowAutoRedirect = false,
            EnableMultipleHttp2Connections = true,
        };

        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
