using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Aegis;

/// <summary>
/// Checks an <c>Authorization: Bearer aeg-&lt;64 hex&gt;</c> header against the <see cref="IApiKeyStore"/>: the key is
/// hashed (SHA-256) and looked up by hash at every call, so a revocation, even by another process sharing the
/// store, takes effect at the next request. The one implementation behind both the <c>AegisKey</c> authentication
/// scheme (<see cref="AegisKeyAuthenticationHandler"/>) and the Aegis endpoints, which call it directly: per request
/// that saves the authentication system's handler instance, its claims and the claims' parsing back into a
/// <see cref="Principal"/>.
/// </summary>
public sealed class ApiKeyAuthenticator
{
    /// <summary>The failure when there is no bearer header at all.</summary>
    public const string NoHeader = "no Authorization: Bearer header";

    private const string Bearer = "Bearer ";
    private readonly IApiKeyStore _keys;
    private readonly ApiKeyUsageTracker _usage;
    private readonly IOptionsMonitor<AegisKeyAuthenticationOptions> _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the authenticator (a singleton: <c>AddAegisHttp()</c> registers it).</summary>
    public ApiKeyAuthenticator(IApiKeyStore keys, ApiKeyUsageTracker usage, IOptionsMonitor<AegisKeyAuthenticationOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _keys = keys;
        _usage = usage;
        _options = options;
        _time = time;
    }

    /// <summary>
    /// The active key of <paramref name="context"/>'s request, checked once per request: when the host's
    /// authentication middleware has already run the <c>AegisKey</c> scheme (it does when that is the only or the
    /// default scheme), the Aegis endpoints reuse its check instead of looking the key up again.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <exception cref="AegisException"><c>AEG-STO-001</c> when the key store fails.</exception>
    public ValueTask<ApiKeyCheck> CheckAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<CheckedKey>() is { } done
            ? ValueTask.FromResult(done.Check)
            : CheckAsync(context.Request.Headers.Authorization, context.RequestAborted);
    }

    /// <summary>
    /// <see cref="CheckAsync(HttpContext)"/>, keeping the result on the request for the Aegis endpoints: what the
    /// <c>AegisKey</c> scheme's handler calls. (The endpoints themselves do not keep it: nothing after them reads it.)
    /// </summary>
    internal async ValueTask<ApiKeyCheck> CheckAndKeepAsync(HttpContext context)
    {
        var check = await CheckAsync(context).ConfigureAwait(false);
        context.Features.Set(new CheckedKey(check));
        return check;
    }

    /// <summary>
    /// The active key <paramref name="authorization"/> (the header's value) carries, or why there is none. A store fault is not the
    /// caller's fault: it is thrown as <c>AEG-STO-001</c> (a 5xx), never reported as an invalid key.
    /// </summary>
    /// <param name="authorization">The <c>Authorization</c> header's value, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">The request's token.</param>
    /// <exception cref="AegisException"><c>AEG-STO-001</c> when the key store fails.</exception>
    public async ValueTask<ApiKeyCheck> CheckAsync(string? authorization, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return new ApiKeyCheck(null, NoHeader, HeaderMissing: true);
        }

        if (!authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return Fail("the Authorization header is not a Bearer token");
        }

        var token = authorization.AsSpan(Bearer.Length).Trim();
        if (!ApiKeys.IsWellFormed(token))
        {
            return Fail("the bearer token is not an Aegis key (aeg- followed by 64 lower-case hex digits)");
        }

        ApiKeyRecord? record;
        try
        {
            record = await _keys.FindByHashAsync(ApiKeys.Hash(token), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not AegisException)
        {
            throw new AegisException(AegisErrors.StoreFailed, "the API key store could not be read", ex);
        }

        if (record is null)
        {
            return Fail("no active key matches the bearer token");
        }

        if (record.IsRevoked)
        {
            return Fail($"key {record.Id} is revoked");
        }

        _usage.MarkUsed(_keys, record, _time.GetUtcNow(), _options.Get(AegisKeyDefaults.AuthenticationScheme).LastUsedUpdateInterval);
        return new ApiKeyCheck(record, null, HeaderMissing: false);
    }

    private static ApiKeyCheck Fail(string failure) => new(null, failure, HeaderMissing: false);

    /// <summary>The request feature that holds a request's key check.</summary>
    private sealed record CheckedKey(ApiKeyCheck Check);
}

/// <summary>The outcome of <see cref="ApiKeyAuthenticator.CheckAsync(string, CancellationToken)"/>: the active key, or why the request has none.</summary>
/// <param name="Key">The active key, or <see langword="null"/>.</param>
/// <param name="Failure">Why there is no key (no value of the token itself).</param>
/// <param name="HeaderMissing">Whether the request carried no Authorization header at all.</param>
public readonly record struct ApiKeyCheck(ApiKeyRecord? Key, string? Failure, bool HeaderMissing);
