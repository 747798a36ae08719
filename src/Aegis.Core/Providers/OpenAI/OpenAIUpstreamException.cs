using System.Globalization;
using System.Net;

namespace Aegis.Providers.OpenAI;

/// <summary>What went wrong with an OpenAI chat-completions call that reached the upstream.</summary>
internal enum OpenAIUpstreamFailure
{
    /// <summary>The upstream answered a non-2xx HTTP status.</summary>
    Status,

    /// <summary>The upstream answered 2xx with a body that is not a chat completion (or chunk) the client can read.</summary>
    MalformedResponse,

    /// <summary>The upstream sent an <c>error</c> object inside an event stream that had started with 2xx.</summary>
    StreamError,
}

/// <summary>
/// A failed call to an OpenAI chat-completions upstream, as thrown by <see cref="OpenAIChatCompletionsClient"/>.
/// </summary>
/// <remarks>
/// An <see cref="HttpRequestException"/> (with <see cref="HttpRequestException.StatusCode"/> for a status failure), so
/// code that handles HTTP failures in general handles this one too. Its message carries the HTTP status and, when it
/// is a plain identifier such as <c>invalid_api_key</c>, the upstream's error code — never the upstream's error
/// text, the request or a credential. <see cref="ProviderErrors"/> maps it to the error catalog.
/// </remarks>
internal sealed class OpenAIUpstreamException : HttpRequestException
{
    private OpenAIUpstreamException(string message, HttpRequestError error, HttpStatusCode? status, OpenAIUpstreamFailure failure, string? upstreamCode)
        : base(error, message, inner: null, status)
    {
        Failure = failure;
        UpstreamCode = upstreamCode;
    }

    /// <summary>What went wrong.</summary>
    public OpenAIUpstreamFailure Failure { get; }

    /// <summary>The upstream's <c>error.code</c> (or <c>error.type</c>) when it is a plain identifier; otherwise <see langword="null"/>.</summary>
    public string? UpstreamCode { get; }

    /// <summary>The upstream answered <paramref name="status"/>.</summary>
    public static OpenAIUpstreamException FromStatus(HttpStatusCode status, string? upstreamCode)
    {
        var message = upstreamCode is null
            ? string.Create(CultureInfo.InvariantCulture, $"The upstream answered HTTP {(int)status}.")
            : string.Create(CultureInfo.InvariantCulture, $"The upstream answered HTTP {(int)status} ({upstreamCode}).");
        return new OpenAIUpstreamException(message, HttpRequestError.Unknown, status, OpenAIUpstreamFailure.Status, upstreamCode);
    }

    /// <summary>The upstream answered a body the client cannot read as a chat completion.</summary>
    public static OpenAIUpstreamException Malformed(string what) =>
        new("The upstream answered a malformed response (" + what + ").", HttpRequestError.InvalidResponse, status: null, OpenAIUpstreamFailure.MalformedResponse, upstreamCode: null);

    /// <summary>The upstream reported an error inside the event stream.</summary>
    public static OpenAIUpstreamException InStream(string? upstreamCode) => new(
        upstreamCode is null ? "The upstream reported an error in the stream." : "The upstream reported an error in the stream (" + upstreamCode + ").",
        HttpRequestError.Unknown,
        status: null,
        OpenAIUpstreamFailure.StreamError,
        upstreamCode);
}
