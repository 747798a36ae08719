using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Aegis;

/// <summary>
/// Writes API keys' "last used" times off the request path: at most once per interval per key (in this
/// process), fire-and-forget, with failures logged rather than surfaced to the caller.
/// </summary>
public sealed partial class ApiKeyUsageTracker
{
    private readonly ConcurrentDictionary<string, long> _lastWritten = new(StringComparer.Ordinal);
    private readonly ILogger<ApiKeyUsageTracker> _logger;

    /// <summary>Creates the tracker.</summary>
    public ApiKeyUsageTracker(ILogger<ApiKeyUsageTracker> logger) => _logger = logger;

    /// <summary>Records that <paramref name="key"/> was used at <paramref name="now"/>, unless it was recorded less than <paramref name="interval"/> ago.</summary>
    public void MarkUsed(IApiKeyStore store, ApiKeyRecord key, DateTimeOffset now, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        if (key.LastUsedAt is { } stored && now - stored < interval)
        {
            return;
        }

        var ticks = now.UtcTicks;
        while (true)
        {
            if (!_lastWritten.TryGetValue(key.Id, out var previous))
            {
                if (_lastWritten.TryAdd(key.Id, ticks))
                {
                    break;
                }

                continue;
            }

            if (ticks - previous < interval.Ticks)
            {
                return;
            }

            if (_lastWritten.TryUpdate(key.Id, ticks, previous))
            {
                break;
            }
        }

        _ = WriteAsync(store, key.Id, now);
    }

    private async Task WriteAsync(IApiKeyStore store, string keyId, DateTimeOffset now)
    {
        try
        {
            await store.MarkUsedAsync(keyId, now, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failed bookkeeping write must never fail or slow the request it came from.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogMarkUsedFailed(_logger, ex, keyId);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Could not record the last use of API key {KeyId}")]
    private static partial void LogMarkUsedFailed(ILogger logger, Exception exception, string keyId);
}
