using System.Buffers;
using System.Text;

namespace Aegis.Guardrails.Pii;

/// <summary>
/// Streaming egress for <see cref="PiiGuardrail"/>: buffers the raw text and releases it (placeholders restored,
/// new values masked) only up to a cut that lies at least <see cref="PiiGuardrail.HoldBack"/> characters behind the
/// end, never inside a detection or a placeholder, and never after an unterminated <c>&lt;TYPE_</c> that may still
/// become a placeholder. <see cref="Complete"/> flushes the rest and runs the final pass over the whole text.
/// The raw text lives in one buffer rented from <see cref="ArrayPool{T}.Shared"/> and every scan reads it in place:
/// a chunk allocates nothing unless something is found. <see cref="Complete"/> ends the stream and returns the
/// buffer; later calls release nothing and return the final verdict again.
/// </summary>
internal sealed class PiiGuardrailStream : IGuardrailStream
{
    /// <summary>Characters before the release point that each scan re-reads, so boundary rules see the same context as a whole-text scan.</summary>
    private const int LeftContext = 32;

    /// <summary>How far back a cut may move to avoid splitting an undetected token; a longer token is released in parts.</summary>
    private const int MaxTokenHold = 256;

    private const int InitialBuffer = 1024;

    private readonly PiiGuardrail _guard;
    private readonly MaskMap _map;
    private char[]? _raw;
    private int _length;
    private List<PiiMatch>? _segments;
    private PiiTally _tally;
    private int _released;
    private Verdict? _blocked;
    private Verdict? _completed;

    public PiiGuardrailStream(PiiGuardrail guard, MaskMap map)
    {
        _guard = guard;
        _map = map;
    }

    /// <inheritdoc />
    public Verdict Append(ReadOnlySpan<char> text, StringBuilder released)
    {
        ArgumentNullException.ThrowIfNull(released);
        if (_blocked is not null || _completed is not null)
        {
            return _blocked ?? _completed!;
        }

        Reserve(text.Length);
        text.CopyTo(_raw.AsSpan(_length));
        _length += text.Length;
        var limit = _length - _guard.HoldBack;
        return limit <= _released ? Verdict.Allow : Release(limit, final: false, released);
    }

    /// <inheritdoc />
    public Verdict Complete(StringBuilder released)
    {
        ArgumentNullException.ThrowIfNull(released);
        if (_blocked is not null || _completed is not null)
        {
            return _blocked ?? _completed!;
        }

        try
        {
            if (_released < _length)
            {
                var verdict = Release(_length, final: true, released);
                if (verdict.Kind == VerdictKind.Block)
                {
                    return verdict;
                }
            }

            if (_guard.Mode != PiiMode.Block)
            {
                return _completed = Verdict.Allow;
            }

            // The mandatory final pass: a value that straddled an early release (longer than the window) is caught here.
            _guard.CollectEgress(Raw(0), _map, ref _segments);
            var tally = default(PiiTally);
            return _completed = PiiGuardrail.TallyDetections(_segments, ref tally) ? (_blocked = PiiGuardrail.BlockFor(tally)) : Verdict.Allow;
        }
        finally
        {
            // The stream has ended (or is blocked): the raw text is no longer needed.
            if (_raw is not null)
            {
                // The answer may hold values that were masked: nothing of it stays in the shared pool.
                _raw.AsSpan(0, _length).Clear();
                ArrayPool<char>.Shared.Return(_raw);
                _raw = null;
            }

            _length = _released = 0;
        }
    }

    private ReadOnlySpan<char> Raw(int from) => _raw.AsSpan(from, _length - from);

    private void Reserve(int more)
    {
        if (_raw is not null && _length + more <= _raw.Length)
        {
            return;
        }

        var larger = ArrayPool<char>.Shared.Rent(Math.Max(InitialBuffer, Math.Max(_length + more, (_raw?.Length ?? 0) * 2)));
        if (_raw is not null)
        {
            _raw.AsSpan(0, _length).CopyTo(larger);
            _raw.AsSpan(0, _length).Clear();
            ArrayPool<char>.Shared.Return(_raw);
        }

        _raw = larger;
    }

    private Verdict Release(int limit, bool final, StringBuilder released)
    {
        var from = Math.Max(0, _released - LeftContext);
        var window = Raw(from);
        _guard.CollectEgress(window, _map, ref _segments);
        var start = _released - from;
        var cut = limit - from;

        if (!final)
        {
            cut = SafeCut(window, start, cut);
            if (cut <= start)
            {
                return Verdict.Allow;
            }
        }

        if (_guard.Mode == PiiMode.Block)
        {
            var found = default(PiiTally);
            if (PiiGuardrail.TallyDetections(_segments, ref found, start, cut))
            {
                return _blocked = PiiGuardrail.BlockFor(found);
            }
        }

        PiiGuardrail.Rewrite(window, start, cut, _segments, _map, egress: true, released, ref _tally);
        _released = from + cut;
        return Verdict.Allow;
    }

    /// <summary>
    /// Moves <paramref name="cut"/> back so that no token (a run of non-space characters, or digit groups joined by
    /// single spaces, as in <c>4111 1111</c>), detection, placeholder or possible placeholder prefix is split.
    /// </summary>
    private int SafeCut(ReadOnlySpan<char> window, int start, int cut)
    {
        var floor = Math.Max(start, cut - MaxTokenHold);
        while (cut > floor && Joined(window, cut))
        {
            cut--;
        }

        for (var i = 0; _segments is not null && i < _segments.Count; i++)
        {
            var segment = _segments[i];
            if (segment.Start >= start && segment.Start < cut && segment.End > cut)
            {
                cut = segment.Start;
                break;
            }
        }

        var open = window.LastIndexOf('<');
        if (open >= start && open < cut && MayBecomePlaceholder(window[(open + 1)..]))
        {
            cut = open;
        }

        return cut;
    }

    /// <summary>Whether the boundary before <paramref name="w"/>[<paramref name="c"/>] lies inside something that may be one value.</summary>
    private static bool Joined(ReadOnlySpan<char> w, int c)
    {
        var before = w[c - 1];
        var digitThenSpace = before == ' ' && c >= 2 && char.IsAsciiDigit(w[c - 2]);
        if (c == w.Length)
        {
            // The next chunk decides: hold a trailing word or a trailing "123 ".
            return !char.IsWhiteSpace(before) || digitThenSpace;
        }

        var after = w[c];
        if (!char.IsWhiteSpace(before) && !char.IsWhiteSpace(after))
        {
            return true;
        }

        return (digitThenSpace && char.IsAsciiDigit(after))
            || (after == ' ' && char.IsAsciiDigit(before) && (c + 1 == w.Length || char.IsAsciiDigit(w[c + 1])));
    }

    /// <summary>Whether the text after a '&lt;' at the end of the buffer is still a possible placeholder prefix (<c>EMAIL_ADD</c>…).</summary>
    private static bool MayBecomePlaceholder(ReadOnlySpan<char> rest)
    {
        foreach (var c in rest)
        {
            if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
