using System.ClientModel;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Aegis.Providers.OpenAI;

namespace Aegis;

/// <summary>
/// Maps what a provider call throws to the error catalog, so the gateway reports one coded error whatever
/// the client: <c>AEG-PRV-005</c> credential rejected (HTTP 401/403), <c>AEG-PRV-004</c> model not supported
/// (HTTP 404), <c>AEG-PRV-003</c> upstream failed (any other status, an unreachable upstream, a timeout).
/// </summary>
/// <remarks>
/// The detail names the provider and the HTTP status (and the upstream's error code when it is a plain
/// identifier such as <c>invalid_api_key</c>); it never carries the upstream's error text, the api key or the
/// request content. A vendor SDK's exception is therefore not attached when its message repeats the upstream's text.
/// Understood: the built-in OpenAI client's own failures, <see cref="System.ClientModel.ClientResultException"/> (OpenAI-SDK
/// based clients registered through <see cref="ChatProviderFactory.Register"/>), <see cref="HttpRequestException"/>
/// (with or without a status), socket and I/O failures, timeouts.
/// Use it around provider calls:
/// <code>
/// catch (Exception ex) when (ProviderErrors.ShouldTranslate(ex, cancellationToken))
/// {
///     throw ProviderErrors.ToAegisException(ex, providerName);
/// }
/// </code>
/// </remarks>
public static class ProviderErrors
{
    private const int MaxUpstreamCodeLength = 48;

    /// <summary>
    /// Whether <paramref name="exception"/> should be replaced by <see cref="ToAegisException"/>: every exception
    /// except an <see cref="AegisException"/> (already coded) and an <see cref="OperationCanceledException"/> caused by
    /// <paramref name="cancellationToken"/> (the caller cancelled; let that propagate as it is).
    /// </summary>
    /// <param name="exception">What the provider call threw.</param>
    /// <param name="cancellationToken">The caller's token passed to the provider call.</param>
    public static bool ShouldTranslate(Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            AegisException => false,
            OperationCanceledException => !cancellationToken.IsCancellationRequested,
            _ => true,
        };
    }

    /// <summary>Maps what a provider call threw to a coded <see cref="AegisException"/>.</summary>
    /// <param name="exception">
    /// What the provider call threw. Filter the caller's own cancellation out first with
    /// <see cref="ShouldTranslate"/>: an <see cref="OperationCanceledException"/> reaching this method is taken for
    /// an upstream timeout.
    /// </param>
    /// <param name="providerName">The configured provider name, named in the detail.</param>
    /// <returns>The same instance for an <see cref="AegisException"/>; otherwise a new one.</returns>
    public static AegisException ToAegisException(Exception exception, string providerName)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        switch (exception)
        {
            case AegisException coded:
                return coded;

            case OpenAIUpstreamException upstream:
                return FromUpstream(upstream, providerName);

            case ClientResultException { Status: > 0 } result:
                return FromStatus(result, providerName);

            case ClientResultException result:
                // No response at all: the SDK wraps the transport failure (connection refused, DNS, TLS).
                return Unreachable(providerName, result.InnerException ?? result, attach: result.InnerException);

            case HttpRequestException { StatusCode: { } status }:
                return FromStatusCode((int)status, upstreamCode: null, providerName);

            case HttpRequestException or SocketException or IOException:
                return Unreachable(providerName, exception, attach: exception);

            case OperationCanceledException or TimeoutException:
                return new AegisException(
                    AegisErrors.ProviderUpstreamFailed,
                    $"provider '{providerName}': the upstream did not answer within the timeout",
                    exception);

            default:
                // A vendor SDK or a custom provider failed in another way (for example a malformed response).
                return new AegisException(
                    AegisErrors.ProviderUpstreamFailed,
                    $"provider '{providerName}': the call failed ({exception.GetType().Name})",
                    exception);
        }
    }

    private static AegisException FromUpstream(OpenAIUpstreamException upstream, string providerName)
    {
        // Its message and state are already free of upstream text; it is still not attached, as for the SDK's.
        return upstream.Failure switch
        {
            OpenAIUpstreamFailure.Status when upstream.StatusCode is { } status => FromStatusCode((int)status, upstream.UpstreamCode, providerName),
            OpenAIUpstreamFailure.StreamError => new AegisException(
                AegisErrors.ProviderUpstreamFailed,
                upstream.UpstreamCode is null
                    ? $"provider '{providerName}': the upstream reported an error in the stream"
                    : $"provider '{providerName}': the upstream reported an error in the stream ({upstream.UpstreamCode})"),
            _ => new AegisException(
                AegisErrors.ProviderUpstreamFailed,
                $"provider '{providerName}': the upstream answered a malformed response"),
        };
    }

    private static AegisException FromStatus(ClientResultException result, string providerName)
    {
        // The SDK's message quotes the upstream's error text, which can repeat part of the key or of the request;
        // only the status and an identifier-shaped error code are kept, and the exception is not attached.
        return FromStatusCode(result.Status, ReadUpstreamCode(result), providerName);
    }

    private static AegisException FromStatusCode(int status, string? upstreamCode, string providerName)
    {
        var error = status switch
        {
            401 or 403 => AegisErrors.ProviderCredentialRejected,
            404 => AegisErrors.ProviderModelNotSupported,
            _ => AegisErrors.ProviderUpstreamFailed,
        };

        var detail = upstreamCode is null
            ? string.Create(CultureInfo.InvariantCulture, $"provider '{providerName}': HTTP {status}")
            : string.Create(CultureInfo.InvariantCulture, $"provider '{providerName}': HTTP {status} ({upstreamCode})");
        return new AegisException(error, detail);
    }

    private static AegisException Unreachable(string providerName, Exception cause, Exception? attach)
    {
        var reason = FindHttpRequestError(cause) is { } error && error != HttpRequestError.Unknown
            ? error.ToString()
            : cause.GetType().Name;
        return new AegisException(
            AegisErrors.ProviderUpstreamFailed,
            $"provider '{providerName}': the upstream could not be reached ({reason})",
            attach);
    }

    private static HttpRequestError? FindHttpRequestError(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException http)
            {
                return http.HttpRequestError;
            }
        }

        return null;
    }

    private static string? ReadUpstreamCode(ClientResultException result)
    {
        try
        {
            var content = result.GetRawResponse()?.Content;
            return content is null ? null : ReadUpstreamCode(content.ToMemory().Span);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads <c>error.code</c> (or <c>error.type</c>) of an OpenAI-style error body when it is a plain identifier
    /// (lower-case letters and underscores, at most 48 characters); <see langword="null"/> otherwise, including for a
    /// body that is not JSON.
    /// </summary>
    internal static string? ReadUpstreamCode(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            return ReadUpstreamCode(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads <c>error.code</c> (or <c>error.type</c>) of an object carrying an OpenAI-style <c>error</c> when it is a plain identifier.</summary>
    private static string? ReadUpstreamCode(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("error", out var error)
            || error.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return IdentifierOrNull(error, "code") ?? IdentifierOrNull(error, "type");
    }

    private static string? IdentifierOrNull(JsonElement error, string property)
    {
        if (!error.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = value.GetString();
        if (string.IsNullOrEmpty(text) || text.Length > MaxUpstreamCodeLength)
        {
            return null;
        }

        // Lower-case words and underscores only: codes like invalid_api_key or model_not_found, never a key or free text.
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterLower(c) && c != '_')
            {
                return null;
            }
        }

        return text;
    }
}
