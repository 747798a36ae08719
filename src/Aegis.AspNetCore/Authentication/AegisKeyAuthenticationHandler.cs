using System.Security.Claims;
using System.Text.Encodings.Web;
using Aegis.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Aegis;

/// <summary>
/// Authenticates <c>Authorization: Bearer aeg-&lt;64 hex&gt;</c> against the <see cref="IApiKeyStore"/>: the key is
/// hashed (SHA-256) and looked up by hash, so no comparison of the secret itself can leak timing. A missing,
/// unknown or revoked key fails; a challenge answers <c>401 AEG-AUTH-001</c> in the Aegis error shape.
/// The "last used" time is written in the background, at most once per <see cref="AegisKeyAuthenticationOptions.LastUsedUpdateInterval"/>.
/// </summary>
public sealed class AegisKeyAuthenticationHandler : AuthenticationHandler<AegisKeyAuthenticationOptions>
{
    private readonly ApiKeyAuthenticator _authenticator;

    /// <summary>Creates the handler (the authentication system does this per request).</summary>
    public AegisKeyAuthenticationHandler(
        IOptionsMonitor<AegisKeyAuthenticationOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        ApiKeyAuthenticator authenticator)
        : base(options, logger, encoder)
    {
        _authenticator = authenticator;
    }

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        ApiKeyCheck check;
        try
        {
            check = await _authenticator.CheckAndKeepAsync(Context).ConfigureAwait(false);
        }
        catch (AegisException fault)
        {
            // A store fault is not the caller's fault: it must end as a 5xx, not a 401. The failure carries the
            // coded exception, which the Aegis endpoints rethrow; middleware that authenticates by default just sees a failure.
            return AuthenticateResult.Fail(fault);
        }

        if (check.HeaderMissing)
        {
            return AuthenticateResult.NoResult();
        }

        if (check.Key is not { } record)
        {
            return AuthenticateResult.Fail(check.Failure!);
        }

        var claims = new List<Claim>(4 + record.Labels.Count)
        {
            new(AegisClaimTypes.PrincipalId, record.PrincipalId),
            new(ClaimTypes.NameIdentifier, record.PrincipalId),
            new(AegisClaimTypes.KeyId, record.Id),
        };
        if (record.Team is { Length: > 0 } team)
        {
            claims.Add(new Claim(AegisClaimTypes.Team, team));
        }

        foreach (var (name, value) in record.Labels)
        {
            claims.Add(new Claim(AegisClaimTypes.Label, name + "=" + value));
        }

        var identity = new ClaimsIdentity(claims, Scheme.Name, ClaimTypes.NameIdentifier, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    /// <inheritdoc />
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        await AegisHttpErrors.WriteAsync(Context, AegisErrors.AuthInvalidKey, result.Failure?.Message ?? ApiKeyAuthenticator.NoHeader, null).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        AegisHttpErrors.WriteAsync(Context, AegisErrors.AuthRouteForbidden, "the authorization policy of this endpoint denied the request", null);
}
