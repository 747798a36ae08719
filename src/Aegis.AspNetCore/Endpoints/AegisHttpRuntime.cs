using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aegis.Http;

/// <summary>
/// What every endpoint shares: the engine, the options, the auth mode, principal resolution, and the
/// wrapper that turns every failure into the one error shape (never a 500 for bad input, never a trace).
/// </summary>
internal sealed partial class AegisHttpRuntime
{
    private const string HostNotAuthenticated = "the request is not authenticated (the host's authentication found no user)";
    private readonly IServiceProvider _services;
    private readonly Lazy<AegisAuthMode> _mode;
    private readonly ILogger _logger;
    private AegisEngine? _engine;
    private ApiKeyAuthenticator? _authenticator;

    public AegisHttpRuntime(IServiceProvider services, IOptions<AegisHttpOptions> options, IOptions<AegisOptions> aegis, TimeProvider time, ILogger<AegisHttpRuntime> logger)
    {
        _services = services;
        Options = options.Value;
        Time = time;
        _logger = logger;
        _mode = new Lazy<AegisAuthMode>(() => ResolveMode(Options.AuthMode, aegis.Value.Auth.Mode));
        StartedAt = time.GetUtcNow().ToUnixTimeSeconds();
    }

    public AegisHttpOptions Options { get; }

    public TimeProvider Time { get; }

    public AegisAuthMode Mode => _mode.Value;

    public AegisEngine Engine => _engine ??= _services.GetRequiredService<AegisEngine>();

    private ApiKeyAuthenticator Authenticator => _authenticator ??= _services.GetRequiredService<ApiKeyAuthenticator>();

    /// <summary>Unix seconds when the HTTP surface started (the <c>created</c> of <c>/v1/models</c>).</summary>
    public long StartedAt { get; }

    public static AegisAuthMode ResolveMode(AegisAuthMode? configured, string? fromOptions)
    {
        if (configured is { } mode)
        {
            return mode;
        }

        return fromOptions?.Trim().ToUpperInvariant() switch
        {
            null or "" or "KEYS" => AegisAuthMode.Keys,
            "NONE" => AegisAuthMode.None,
            "HOST" => AegisAuthMode.Host,
            _ => throw new AegisException(AegisErrors.ConfigInvalidValue, $"auth.mode: '{fromOptions}' is not one of keys, none, host"),
        };
    }

    /// <summary>Wraps an endpoint that needs the caller's principal.</summary>
    public static RequestDelegate Authenticated(Func<AegisHttpRuntime, HttpContext, Principal, Task> handler) => async context =>
    {
        var runtime = context.RequestServices.GetRequiredService<AegisHttpRuntime>();
        await runtime.GuardAsync(context, async () =>
        {
            var (principal, failure) = await runtime.ResolvePrincipalAsync(context).ConfigureAwait(false);
            if (principal is null)
            {
                await AegisHttpErrors.WriteAsync(context, AegisErrors.AuthInvalidKey, failure, null).ConfigureAwait(false);
                return;
            }

            await handler(runtime, context, principal).ConfigureAwait(false);
        }).ConfigureAwait(false);
    };

    /// <summary>Wraps an endpoint that needs no principal.</summary>
    public static RequestDelegate Anonymous(Func<AegisHttpRuntime, HttpContext, Task> handler) => async context =>
    {
        var runtime = context.RequestServices.GetRequiredService<AegisHttpRuntime>();
        await runtime.GuardAsync(context, () => handler(runtime, context)).ConfigureAwait(false);
    };

    /// <summary>The caller's principal, or <see langword="null"/> and why not.</summary>
    public async Task<(Principal? Principal, string? Failure)> ResolvePrincipalAsync(HttpContext context)
    {
        switch (Mode)
        {
            case AegisAuthMode.None:
                return (Principal.Local, null);
            case AegisAuthMode.Keys:
                // The key is checked directly (the same check as the AegisKey scheme's handler, and at most once per
                // request), not through context.AuthenticateAsync: no handler instance, claims or claim parsing.
                var check = await Authenticator.CheckAsync(context).ConfigureAwait(false);
                if (check.Key is not { } key)
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    return (null, check.Failure);
                }

                return (key.ToPrincipal(), null);
            default:
                var user = context.User;
                if (user.Identity?.IsAuthenticated != true)
                {
                    return (null, HostNotAuthenticated);
                }

                var principal = FromClaims(user, Options);
                return principal is null ? (null, "the authenticated user has no principal id claim") : (principal, null);
        }
    }

    /// <summary>Maps a <see cref="ClaimsPrincipal"/> (Aegis key claims, or a host's own) to a <see cref="Principal"/>.</summary>
    internal static Principal? FromClaims(ClaimsPrincipal user, AegisHttpOptions options)
    {
        var id = user.FindFirst(AegisClaimTypes.PrincipalId)?.Value
            ?? user.FindFirst(options.PrincipalIdClaimType)?.Value
            ?? user.FindFirst("sub")?.Value
            ?? user.Identity?.Name;
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        var team = user.FindFirst(AegisClaimTypes.Team)?.Value ?? user.FindFirst(options.TeamClaimType)?.Value;
        Dictionary<string, string>? labels = null;
        foreach (var claim in user.FindAll(AegisClaimTypes.Label))
        {
            var eq = claim.Value.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                (labels ??= new Dictionary<string, string>(StringComparer.Ordinal))[claim.Value[..eq]] = claim.Value[(eq + 1)..];
            }
        }

        return new Principal(id, string.IsNullOrWhiteSpace(team) ? null : team, labels);
    }

    private async Task GuardAsync(HttpContext context, Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (AegisException ex)
        {
            if (AegisHttpErrors.StatusOf(ex.Error) >= 500)
            {
                LogServerError(_logger, ex, context.Request.Method, context.Request.Path.Value ?? string.Empty, RunIdOf(context, ex.RunId));
            }

            await AegisHttpErrors.WriteAsync(context, ex.Error, ex.Detail, RunIdOf(context, ex.RunId)).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            var error = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? AegisErrors.RequestTooLarge : AegisErrors.RequestMalformedJson;
            await AegisHttpErrors.WriteAsync(context, error, "the request body could not be read", null).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody is left to answer.
        }
#pragma warning disable CA1031 // The edge of the HTTP surface: every unexpected fault becomes a coded 500 without a trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var runId = RunIdOf(context, null);
            LogUnexpected(_logger, ex, context.Request.Method, context.Request.Path.Value ?? string.Empty, runId);
            await AegisHttpErrors.WriteAsync(context, AegisErrors.ServerInternal, null, runId).ConfigureAwait(false);
        }
    }

    private static string? RunIdOf(HttpContext context, string? fromException) =>
        fromException ?? (context.Response.Headers.TryGetValue(AegisHttpErrors.RunIdHeader, out var value) ? value.ToString() : null);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "Unexpected error on {Method} {Path} (run {RunId})")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string path, string? runId);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Server-side error on {Method} {Path} (run {RunId})")]
    private static partial void LogServerError(ILogger logger, Exception exception, string method, string path, string? runId);
}
