using System.Buffers;
using System.Text;

namespace Aegis.Guardrails.Injection;

/// <summary>
/// Folds text into the form the injection patterns are written against: compatibility forms folded
/// (NFKC where the runtime has ICU, plus a built-in fold of full-width, circled and mathematical letters
/// that also works under invariant globalization), a few Cyrillic and Greek look-alikes mapped to Latin,
/// lower-cased (invariant), invisible characters removed, and whitespace collapsed to one space (or one
/// newline when the run held a line break, so line-start patterns still work).
/// </summary>
internal static class InjectionTextNormalizer
{
    // ASCII white space other than the space, and all of it: what Fold collapses (nothing else in ASCII changes but case).
    private const string AsciiWhitespace = " \t\n\v\f\r";
    private static readonly SearchValues<char> AsciiWhitespaceButSpace = SearchValues.Create("\t\n\v\f\r");

    /// <summary>Returns the normalised text; <paramref name="text"/> itself when it is already normal.</summary>
    public static string Normalize(string text)
    {
        char[]? rented = null;
        try
        {
            var normalized = Normalize(text, ref rented);
            return rented is null ? (normalized.IsEmpty ? string.Empty : text) : new string(normalized);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Returns the normalised text without allocating it: <paramref name="text"/> itself when it is already normal
    /// (or empty when it is only white space), else the folded text in a buffer rented from
    /// <see cref="ArrayPool{T}.Shared"/> and handed back in <paramref name="rented"/>, which the caller returns once it
    /// no longer reads the span.
    /// </summary>
    public static ReadOnlySpan<char> Normalize(string text, ref char[]? rented)
    {
        if (Ascii.IsValid(text))
        {
            return FoldAscii(text, ref rented);
        }

        var source = text;
        try
        {
            source = source.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // Ill-formed UTF-16 (a lone surrogate) cannot be normalised; the built-in fold below still runs.
        }

        // Every output character comes from at least one input character, so the input length is enough.
        rented = ArrayPool<char>.Shared.Rent(source.Length);
        var length = Fold(source, rented);
        return rented.AsSpan(0, length);
    }

    /// <summary>
    /// <see cref="Fold"/> for ASCII text, vectorised: in ASCII the fold only lower-cases letters and collapses white
    /// space, so the text is copied through <see cref="Ascii.ToLower(ReadOnlySpan{char}, Span{char}, out int)"/> in
    /// stretches between the white-space runs that change (anything but a lone space or a lone line feed between two
    /// other characters). Plain prose is one stretch. Same output as <see cref="Fold"/>.
    /// </summary>
    private static ReadOnlySpan<char> FoldAscii(string text, ref char[]? rented)
    {
        var source = text.AsSpan().Trim(AsciiWhitespace);
        if (source.IsEmpty)
        {
            return [];
        }

        // In the trimmed text a white-space run always has a character before and after it.
        char[]? buffer = null;
        var length = 0;
        var copied = 0;
        var scan = 0;
        var nextSpecial = -2;
        var nextDouble = -2;
        while (true)
        {
            if (nextSpecial != -1 && nextSpecial < scan)
            {
                nextSpecial = IndexFrom(source, scan, source[scan..].IndexOfAny(AsciiWhitespaceButSpace));
            }

            if (nextDouble != -1 && nextDouble < scan)
            {
                nextDouble = IndexFrom(source, scan, source[scan..].IndexOf("  ", StringComparison.Ordinal));
            }

            var hit = nextSpecial < 0 ? nextDouble : nextDouble < 0 ? nextSpecial : Math.Min(nextSpecial, nextDouble);
            if (hit < 0)
            {
                break;
            }

            if (source[hit] == '\n' && !IsAsciiWhitespace(source[hit - 1]) && !IsAsciiWhitespace(source[hit + 1]))
            {
                scan = hit + 1;
                continue;
            }

            var runStart = hit;
            while (IsAsciiWhitespace(source[runStart - 1]))
            {
                runStart--;
            }

            var runEnd = hit;
            var newline = false;
            while (IsAsciiWhitespace(source[runEnd]))
            {
                newline |= source[runEnd] is '\n' or '\v' or '\f';
                runEnd++;
            }

            buffer ??= ArrayPool<char>.Shared.Rent(source.Length);
            length += Lower(source[copied..runStart], buffer.AsSpan(length));
            buffer[length++] = newline ? '\n' : ' ';
            copied = scan = runEnd;
        }

        if (buffer is null)
        {
            if (source.Length == text.Length && !source.ContainsAnyInRange('A', 'Z'))
            {
                return text;
            }

            buffer = ArrayPool<char>.Shared.Rent(source.Length);
        }

        length += Lower(source[copied..], buffer.AsSpan(length));
        rented = buffer;
        return buffer.AsSpan(0, length);
    }

    private static int IndexFrom(ReadOnlySpan<char> source, int start, int relative) => relative < 0 ? -1 : start + relative;

    private static bool IsAsciiWhitespace(char c) => c is ' ' or (>= '\t' and <= '\r');

    private static int Lower(ReadOnlySpan<char> source, Span<char> destination)
    {
        Ascii.ToLower(source, destination, out var written);
        return written;
    }

    /// <summary>Whether <paramref name="c"/> is an invisible formatting character that is stripped before matching.</summary>
    public static bool IsInvisible(char c) => c switch
    {
        '\u00AD' or '\u034F' or '\u061C' or '\u115F' or '\u1160' or '\u17B4' or '\u17B5' or '\u180E' => true,
        >= '\u200B' and <= '\u200F' => true,   // zero-width space, non-joiner, joiner, LRM, RLM
        >= '\u202A' and <= '\u202E' => true,   // bidi embeddings and overrides
        >= '\u2060' and <= '\u2064' => true,   // word joiner, invisible operators
        >= '\u2066' and <= '\u206F' => true,   // bidi isolates, deprecated format characters
        '\u3164' or '\uFEFF' or '\uFFA0' => true,
        >= '\uFE00' and <= '\uFE0F' => true,   // variation selectors
        _ => false,
    };

    /// <summary>Whether the supplementary code point <paramref name="codePoint"/> is invisible (tag characters, variation selectors supplement).</summary>
    public static bool IsInvisible(int codePoint) =>
        codePoint is (>= 0xE0000 and <= 0xE007F) or (>= 0xE0100 and <= 0xE01EF) or (>= 0x1D173 and <= 0x1D17A);

    /// <summary>The general fold into <paramref name="buffer"/> (at least as long as <paramref name="source"/>); returns the length written.</summary>
    internal static int Fold(string source, char[] buffer)
    {
        var length = 0;
        var pendingSpace = false;
        var pendingNewline = false;
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (char.IsAscii(c) && !char.IsWhiteSpace(c))
            {
                // ASCII: no invisible character, no surrogate, no fold but lower case (what the general path does to it, faster).
                Flush(buffer, ref length, ref pendingSpace, ref pendingNewline);
                buffer[length++] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < source.Length && char.IsLowSurrogate(source[i + 1]))
            {
                var codePoint = char.ConvertToUtf32(c, source[i + 1]);
                if (IsInvisible(codePoint))
                {
                    i++;
                    continue;
                }

                var folded = FoldSupplementary(codePoint);
                if (folded == '\0')
                {
                    Flush(buffer, ref length, ref pendingSpace, ref pendingNewline);
                    buffer[length++] = c;
                    buffer[length++] = source[i + 1];
                    i++;
                    continue;
                }

                i++;
                c = folded;
            }
            else if (IsInvisible(c))
            {
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                if (c is '\n' or '\v' or '\f' or '\u0085' or '\u2028' or '\u2029')
                {
                    pendingNewline = true;
                }
                else
                {
                    pendingSpace = true;
                }

                continue;
            }

            c = FoldLookAlike(char.ToLowerInvariant(FoldBmp(c)));
            Flush(buffer, ref length, ref pendingSpace, ref pendingNewline);
            buffer[length++] = c;
        }

        return length;
    }

    private static void Flush(char[] buffer, ref int length, ref bool pendingSpace, ref bool pendingNewline)
    {
        if (length > 0 && (pendingNewline || pendingSpace))
        {
            buffer[length++] = pendingNewline ? '\n' : ' ';
        }

        pendingSpace = false;
        pendingNewline = false;
    }

    // Full-width ASCII and circled letters (what NFKC does for them, done here so it works without ICU), curly apostrophes.
    private static char FoldBmp(char c) => c switch
    {
        >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
        >= '\u24B6' and <= '\u24CF' => (char)('a' + (c - '\u24B6')),
        >= '\u24D0' and <= '\u24E9' => (char)('a' + (c - '\u24D0')),
        '\u2018' or '\u2019' or '\u02BC' => '\'',
        _ => c,
    };

    // Mathematical alphanumeric symbols (bold, italic, script, fraktur, double-struck, sans-serif, monospace).
    private static char FoldSupplementary(int codePoint)
    {
        if (codePoint is >= 0x1D400 and <= 0x1D6A3)
        {
            var offset = (codePoint - 0x1D400) % 52;
            return (char)(offset < 26 ? 'a' + offset : 'a' + offset - 26);
        }

        if (codePoint is >= 0x1D7CE and <= 0x1D7FF)
        {
            return (char)('0' + ((codePoint - 0x1D7CE) % 10));
        }

        return '\0';
    }

    // Lower-case Cyrillic and Greek letters that are commonly used to disguise Latin words.
    private static char FoldLookAlike(char c) => c switch
    {
        '\u0430' => 'a',
        '\u0435' => 'e',
        '\u043E' => 'o',
        '\u0440' => 'p',
        '\u0441' => 'c',
        '\u0443' => 'y',
        '\u0445' => 'x',
        '\u0455' => 's',
        '\u0456' => 'i',
        '\u0458' => 'j',
        '\u0501' => 'd',
        '\u04CF' => 'l',
        '\u03B1' => 'a',
        '\u03B5' => 'e',
        '\u03B9' => 'i',
        '\u03BA' => 'k',
        '\u03BD' => 'v',
        '\u03BF' => 'o',
        '\u03C1' => 'p',
        '\u03C5' => 'u',
        _ => c,
    };
}
