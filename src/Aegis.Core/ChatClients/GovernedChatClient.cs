using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>
/// An Aegis route as a Microsoft.Extensions.AI <see cref="IChatClient"/>: every call is a governed run
/// (guardrails, approvals, audit) without HTTP. A run that does not complete surfaces as a typed
/// <see cref="AegisException"/> — <c>AEG-POL-004</c> blocked, <c>AEG-POL-005</c> paused (resume it with
/// <see cref="AegisEngine.ResumeAsync"/>), with <see cref="AegisException.RunId"/> — never as an empty answer.
/// A streamed answer cut by a late violation ends with <see cref="ChatFinishReason.ContentFilter"/>.
/// </summary>
public sealed class GovernedChatClient : IChatClient
{
    private readonly AegisEngine _engine;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates a client for <paramref name="route"/> acting as <paramref name="principal"/>.</summary>
    public GovernedChatClient(AegisEngine engine, string route = "default", Principal? principal = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(route);
        if (!engine.HasRoute(route))
        {
            throw new AegisException(AegisErrors.RequestUnknownRoute, $"route '{route}' is not configured");
        }

        _engine = engine;
        Route = route;
        Principal = principal ?? Principal.Local;
        _metadata = new ChatClientMetadata("aegis", null, route);
    }

    /// <summary>The route every call goes through.</summary>
    public string Route { get; }

    /// <summary>The principal every call is attributed to.</summary>
    public Principal Principal { get; }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = await _engine.RunAsync(Request(messages, options), cancellationToken).ConfigureAwait(false);
        return result.EnsureCompleted();
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var run = await _engine.RunStreamingAsync(Request(messages, options), cancellationToken).ConfigureAwait(false);
        if (run.Status is not (RunStatus.Running or RunStatus.Completed))
        {
            new RunResult(run.Initial, null, []).EnsureCompleted();
        }

        await foreach (var update in run.Updates.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        if (serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        return serviceType.IsInstanceOfType(_engine) ? _engine : null;
    }

    /// <summary>Nothing to dispose: the engine is owned by its container.</summary>
    public void Dispose()
    {
    }

    private RunRequest Request(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        if (messages is null)
        {
            throw new AegisException(AegisErrors.RequestEmptyMessages, "messages is null");
        }

        // The engine copies the messages into the run's own list; a list the caller passed is not copied twice.
        return new RunRequest { Messages = messages as IReadOnlyList<ChatMessage> ?? [.. messages], Route = Route, Principal = Principal, Options = options };
    }
}
