using System.Text;
using Microsoft.Extensions.AI;

namespace Aegis.Core.Tests.Engine;

/// <summary>A guardrail whose decision is a function of the context: lets engine tests script verdicts.</summary>
internal sealed class ScriptedGuard(string name, Func<GuardrailContext, Verdict> decide) : IGuardrail
{
    private int _calls;

    public string Name { get; } = name;

    public int Calls => _calls;

    public ValueTask<Verdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return ValueTask.FromResult(decide(context));
    }

    /// <summary>Replaces <paramref name="from"/> with <paramref name="to"/> in every text (sanitize), or allows when absent.</summary>
    public static ScriptedGuard Replace(string name, string from, string to) => new(name, ctx =>
    {
        var found = false;
        var messages = new List<ChatMessage>(ctx.Content.Count);
        foreach (var m in ctx.Content)
        {
            if (m.Text.Contains(from, StringComparison.Ordinal))
            {
                found = true;
                messages.Add(new ChatMessage(m.Role, m.Text.Replace(from, to, StringComparison.Ordinal)));
            }
            else
            {
                messages.Add(m);
            }
        }

        return found ? Verdict.Sanitize(messages, $"replaced {from}") : Verdict.Allow;
    });

    public static ScriptedGuard BlockWhen(string name, string word) =>
        new(name, ctx => Text(ctx).Contains(word, StringComparison.OrdinalIgnoreCase) ? Verdict.Block($"contains {word}") : Verdict.Allow);

    public static ScriptedGuard ApproveWhen(string name, string word) =>
        new(name, ctx => Text(ctx).Contains(word, StringComparison.OrdinalIgnoreCase) ? Verdict.RequireApproval($"contains {word}") : Verdict.Allow);

    public static string Text(GuardrailContext ctx)
    {
        var sb = new StringBuilder();
        foreach (var m in ctx.Content)
        {
            sb.Append(m.Text).Append('\n');
        }

        return sb.ToString();
    }
}

/// <summary>
/// An incremental guard for streaming tests: holds back <c>holdBack</c> characters, blocks on
/// <c>blockWord</c> as soon as it is visible, and in its final pass blocks when the whole text
/// contains <c>lateWord</c> (a violation only the full text shows).
/// </summary>
internal sealed class HoldBackGuard(string name, int holdBack, string? blockWord = null, string? lateWord = null) : IIncrementalGuardrail
{
    public string Name { get; } = name;

    public int HoldBack { get; } = holdBack;

    public string? BlockWord { get; } = blockWord;

    public string? LateWord { get; } = lateWord;

    public ValueTask<Verdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken = default)
    {
        var text = ScriptedGuard.Text(context);
        if ((BlockWord is not null && text.Contains(BlockWord, StringComparison.Ordinal)) || (LateWord is not null && text.Contains(LateWord, StringComparison.Ordinal)))
        {
            return ValueTask.FromResult(Verdict.Block("found"));
        }

        return ValueTask.FromResult(Verdict.Allow);
    }

    public IGuardrailStream BeginStream(GuardrailContext context) => new Stream(this);

    private sealed class Stream(HoldBackGuard guard) : IGuardrailStream
    {
        private readonly StringBuilder _pending = new();
        private readonly StringBuilder _all = new();

        public List<string> Released { get; } = [];

        public Verdict Append(ReadOnlySpan<char> text, StringBuilder released)
        {
            _pending.Append(text);
            _all.Append(text);
            if (guard.BlockWord is not null && _all.ToString().Contains(guard.BlockWord, StringComparison.Ordinal))
            {
                return Verdict.Block("block word seen");
            }

            var releasable = _pending.Length - guard.HoldBack;
            if (releasable > 0)
            {
                released.Append(_pending.ToString(0, releasable));
                _pending.Remove(0, releasable);
            }

            return Verdict.Allow;
        }

        public Verdict Complete(StringBuilder released)
        {
            if (guard.LateWord is not null && _all.ToString().Contains(guard.LateWord, StringComparison.Ordinal))
            {
                return Verdict.Block("late word in the full text");
            }

            released.Append(_pending);
            _pending.Clear();
            return Verdict.Allow;
        }
    }
}

/// <summary>Wraps a client and records what it was asked.</summary>
internal sealed class RecordingChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    private int _calls;

    public int Calls => _calls;

    public List<List<ChatMessage>> Requests { get; } = [];

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        lock (Requests)
        {
            Requests.Add([.. messages]);
        }

        return base.GetResponseAsync(messages, options, cancellationToken);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        lock (Requests)
        {
            Requests.Add([.. messages]);
        }

        return base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }
}

/// <summary>A provider that always fails like an unreachable upstream.</summary>
internal sealed class FailingChatClient : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new HttpRequestException("connection refused");

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        throw new HttpRequestException("connection refused");
#pragma warning disable CS0162 // Unreachable code: the iterator must still be an iterator.
        yield break;
#pragma warning restore CS0162
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
