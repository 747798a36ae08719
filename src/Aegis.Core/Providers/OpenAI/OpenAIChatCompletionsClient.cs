using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Aegis.Pooling;
using Microsoft.Extensions.AI;

namespace Aegis.Providers.OpenAI;

/// <summary>
/// An <see cref="IChatClient"/> that speaks the OpenAI chat-completions wire protocol (<c>POST /chat/completions</c>)
/// directly over <see cref="HttpClient"/>: the request is written from the messages and options straight into a
/// pooled buffer, the answer is read with <see cref="Utf8JsonReader"/>, and a streamed answer is relayed one update per
/// server-sent event as it arrives.
/// </summary>
/// <remarks>
/// <para>No retries (the engine falls back to the route's next provider), no redirects followed, one timeout per
/// call (per wait when streaming). Failures: a non-2xx status, a malformed answer or an error inside the stream is an
/// <see cref="OpenAIUpstreamException"/>; the timeout is a <see cref="TimeoutException"/>; the caller's cancellation is an
/// <see cref="OperationCanceledException"/>; transport failures are the handler's <see cref="HttpRequestException"/>.
/// None of them carries the upstream's error text, the request or the key.</para>
/// <para>The client does not own the <see cref="HttpClient"/>; disposing it does nothing.</para>
/// </remarks>
internal sealed class OpenAIChatCompletionsClient : IChatClient
{
    private const int InitialRequestBytes = 4 * 1024;
    private const int InitialResponseBytes = 16 * 1024;
    private const int MaxResponseBytes = 64 * 1024 * 1024;
    private const int MaxErrorBytes = 64 * 1024;

    private readonly HttpClient _http;
    private readonly Uri _requestUri;
    private readonly string _authorization;
    private readonly string _model;
    private readonly OpenAIMaxTokensField _maxTokens;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates a client sending through <paramref name="http"/> (shared, not disposed by this client).</summary>
    public OpenAIChatCompletionsClient(HttpClient http, OpenAIChatCompletionsOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Model);
        ArgumentException.ThrowIfNullOrEmpty(options.ApiKey);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Timeout, TimeSpan.Zero);
        _http = http;
        _requestUri = ChatCompletionsUri(options.Endpoint);
        _authorization = "Bearer " + options.ApiKey;
        _model = options.Model;
        _maxTokens = options.MaxTokensField;
        _timeout = options.Timeout;
        _time = options.TimeProvider;
        _metadata = new ChatClientMetadata("openai", WithoutUserInfo(options.Endpoint), options.Model);
    }

    /// <summary>Where the requests go: <c>&lt;endpoint&gt;/chat/completions</c>.</summary>
    internal Uri RequestUri => _requestUri;

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var request = CreateRequest(messages, options, stream: false);
        using var deadline = new Deadline(_timeout, _time, cancellationToken);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            await EnsureSuccessAsync(response, deadline.Token).ConfigureAwait(false);
            return await ReadCompletionAsync(response, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline.Expired)
        {
            throw TimedOut(ex);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return StreamAsync(messages, options, cancellationToken);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // The HttpClient is shared and not owned.
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = CreateRequest(messages, options, stream: true);
        using var deadline = new Deadline(_timeout, _time, cancellationToken);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline.Expired)
        {
            throw TimedOut(ex);
        }

        using (response)
        {
            Stream? body = null;
            ChatResponse? whole = null;
            try
            {
                await EnsureSuccessAsync(response, deadline.Token).ConfigureAwait(false);
                if (IsJson(response.Content))
                {
                    // The server ignored "stream": the whole answer came at once.
                    whole = await ReadCompletionAsync(response, deadline.Token).ConfigureAwait(false);
                }
                else
                {
                    body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException ex) when (deadline.Expired)
            {
                throw TimedOut(ex);
            }

            if (whole is not null)
            {
                foreach (var update in whole.ToChatResponseUpdates())
                {
                    yield return update;
                }

                yield break;
            }

            using var reader = new ChatCompletionStreamReader();
            var events = SseParser.Create<ChatResponseUpdate?>(body!, reader.Parse).EnumerateAsync(deadline.Token).GetAsyncEnumerator(deadline.Token);
            try
            {
                while (!reader.IsDone)
                {
                    bool more;
                    deadline.Restart();
                    try
                    {
                        more = await events.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (OperationCanceledException ex) when (deadline.Expired)
                    {
                        throw TimedOut(ex);
                    }
                    catch (Exception ex) when (ex is JsonException or InvalidOperationException)
                    {
                        throw OpenAIUpstreamException.Malformed("an event is not a chat completion chunk");
                    }
                    finally
                    {
                        // The consumer's time between updates is not the upstream's.
                        deadline.Pause();
                    }

                    if (!more)
                    {
                        break;
                    }

                    if (events.Current.Data is { } update)
                    {
                        yield return update;
                    }
                }

                if (reader.Complete() is { } last)
                {
                    yield return last;
                }
            }
            finally
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private HttpRequestMessage CreateRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        var body = new PooledBufferWriter(InitialRequestBytes);
        try
        {
            ChatCompletionRequestWriter.Write(body, messages, options, _model, _maxTokens, stream);

            var request = new HttpRequestMessage(HttpMethod.Post, _requestUri) { Content = new PooledJsonContent(body) };
            request.Headers.TryAddWithoutValidation("Authorization", _authorization);
            request.Headers.TryAddWithoutValidation("Accept", stream ? "text/event-stream" : "application/json");
            return request;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    private static async Task<ChatResponse> ReadCompletionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var body = await ReadBodyAsync(response.Content, MaxResponseBytes, cancellationToken).ConfigureAwait(false);
        try
        {
            return ChatCompletionResponseReader.Read(body.WrittenSpan);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not attached: a reader's message can quote a token of the body.
            throw OpenAIUpstreamException.Malformed("not a chat completion");
        }
    }

    /// <summary>Throws for a non-2xx answer, keeping only the status and an identifier-shaped error code.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? code = null;
        try
        {
            using var body = await ReadBodyAsync(response.Content, MaxErrorBytes, cancellationToken).ConfigureAwait(false);
            code = ProviderErrors.ReadUpstreamCode(body.WrittenSpan);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // The status alone says what failed.
        }

        throw OpenAIUpstreamException.FromStatus(response.StatusCode, code);
    }

    /// <summary>Reads the whole body into a pooled buffer, sized by <c>Content-Length</c> when there is one.</summary>
    private static async Task<PooledBufferWriter> ReadBodyAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        var length = content.Headers.ContentLength;
        if (length > limit)
        {
            throw OpenAIUpstreamException.Malformed("the body is too large");
        }

        var buffer = new PooledBufferWriter(length is > 0 ? (int)length.Value : InitialResponseBytes);
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            while (length is null || buffer.WrittenCount < length)
            {
                var read = await stream.ReadAsync(buffer.GetMemory(), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > limit)
                {
                    throw OpenAIUpstreamException.Malformed("the body is too large");
                }
            }

            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private static bool IsJson(HttpContent content) =>
        content.Headers.ContentType?.MediaType is { } type
        && (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private TimeoutException TimedOut(OperationCanceledException cause) => new(
        string.Create(CultureInfo.InvariantCulture, $"The upstream did not answer within {_timeout.TotalSeconds:0.###} s."),
        cause);

    private static Uri ChatCompletionsUri(Uri endpoint)
    {
        // As the OpenAI SDK does: one trailing slash of the base path is dropped, the query is kept.
        var builder = new UriBuilder(endpoint);
        var path = builder.Path;
        builder.Path = (path.EndsWith('/') ? path[..^1] : path) + "/chat/completions";
        return builder.Uri;
    }

    private static Uri WithoutUserInfo(Uri endpoint) =>
        string.IsNullOrEmpty(endpoint.UserInfo) ? endpoint : new UriBuilder(endpoint) { UserName = string.Empty, Password = string.Empty }.Uri;

    /// <summary>
    /// The call's timeout, linked with the caller's token. <see cref="Expired"/> tells a timeout from the caller's
    /// cancellation; <see cref="Pause"/> and <see cref="Restart"/> bound each wait of a stream.
    /// </summary>
    private sealed class Deadline : IDisposable
    {
        private readonly CancellationTokenSource _timeout;
        private readonly CancellationTokenSource? _linked;
        private readonly CancellationToken _caller;
        private readonly TimeSpan _duration;

        public Deadline(TimeSpan duration, TimeProvider time, CancellationToken caller)
        {
            _duration = duration;
            _caller = caller;
            _timeout = new CancellationTokenSource(duration, time);
            _linked = caller.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(caller, _timeout.Token) : null;
        }

        public CancellationToken Token => _linked?.Token ?? _timeout.Token;

        /// <summary>The timeout fired and the caller did not cancel.</summary>
        public bool Expired => _timeout.IsCancellationRequested && !_caller.IsCancellationRequested;

        public void Restart() => _timeout.CancelAfter(_duration);

        public void Pause() => _timeout.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);

        public void Dispose()
        {
            _linked?.Dispose();
            _timeout.Dispose();
        }
    }
}
