namespace Aegis;

/// <summary>
/// A guardrail that can also scan a stream as it is generated. A route whose egress guards are all
/// incremental streams for real, releasing text a small hold-back window behind generation; otherwise
/// the route buffers the whole answer and calls <see cref="IGuardrail.EvaluateAsync"/>.
/// </summary>
public interface IIncrementalGuardrail : IGuardrail
{
    /// <summary>Starts scanning one stream. The returned scanner is used by one stream only.</summary>
    /// <param name="context">The context; its <see cref="GuardrailContext.Content"/> is empty at the start of a stream.</param>
    IGuardrailStream BeginStream(GuardrailContext context);
}

/// <summary>
/// The per-stream state of an <see cref="IIncrementalGuardrail"/>. Text goes in as it is generated and
/// comes out (possibly changed) once it is safe to release: a value split across chunks must be
/// held back until it can be judged whole.
/// </summary>
public interface IGuardrailStream
{
    /// <summary>
    /// Feeds newly generated text. Returns the verdict so far (<see cref="VerdictKind.Block"/> stops the
    /// stream) and appends to <paramref name="released"/> the text that may be released now.
    /// </summary>
    Verdict Append(ReadOnlySpan<char> text, System.Text.StringBuilder released);

    /// <summary>
    /// Ends the stream: appends the held-back remainder to <paramref name="released"/> and runs the
    /// mandatory final pass over the whole text. A <see cref="VerdictKind.Block"/> here is a late
    /// violation: the engine truncates the stream and ends it with <c>content_filter</c>.
    /// </summary>
    Verdict Complete(System.Text.StringBuilder released);
}
