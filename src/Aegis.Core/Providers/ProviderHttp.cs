namespace Aegis.Providers;

/// <summary>The process-wide HTTP client of the built-in HTTP providers.</summary>
/// <remarks>
/// One <see cref="HttpClient"/> over one <see cref="SocketsHttpHandler"/>: connections are pooled and reused
/// across providers and requests, and recycled every two minutes so DNS changes are picked up. The client has
/// no timeout of its own; each provider applies its <c>timeout_seconds</c> through the SDK pipeline.
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
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            AllowAutoRedirect = false,
            EnableMultipleHttp2Connections = true,
        };

        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
