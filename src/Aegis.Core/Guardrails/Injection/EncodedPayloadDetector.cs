using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Aegis.Guardrails.Injection;

/// <summary>
/// The <c>encoded_payload</c> family: text hidden from a human reader but not from a model. Finds invisible
/// Unicode tag characters (outside an emoji flag sequence), long runs of zero-width or other invisible
/// characters, and base64 or hex blobs that decode to readable text which itself matches one of the text
/// families (a blob inside a blob is decoded too, two levels deep).
/// </summary>
internal static class EncodedPayloadDetector
{
    /// <summary>Consecutive invisible characters from which a run counts as hidden text.</summary>
    public const int MinInvisibleRun = 8;

    // Bounds that keep a pathological input (a multi-megabyte attachment) cheap.
    private const int MaxCandidates = 64;
    private const int MaxCandidateChars = 64 * 1024;
    private const int MaxDepth = 2;

    // Emoji subdivision flags (black flag, up to six tag letters, cancel tag) use tag characters legitimately.
    private const int MaxFlagTags = 8;

    /// <summary>Whether <paramref name="text"/> carries hidden characters: stray tag characters or a long invisible run.</summary>
    public static bool HasHiddenCharacters(string text)
    {
        // Every invisible character and every surrogate is at or above U+00AD: text below it (plain ASCII
        // and Latin-1 letters) has nothing to find, and the scan may start at the first character above it.
        var first = text.AsSpan().IndexOfAnyInRange('\u00AD', '\uFFFF');
        if (first < 0)
        {
            return false;
        }

        var run = 0;
        var inFlag = false;
        var flagTags = 0;
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var codePoint = char.ConvertToUtf32(c, text[i + 1]);
                i++;
                if (codePoint is >= 0xE0000 and <= 0xE007F)
                {
                    if (!inFlag || ++flagTags > MaxFlagTags)
                    {
                        return true;
                    }

                    inFlag = codePoint != 0xE007F;
                    continue;
                }

                if (InjectionTextNormalizer.IsInvisible(codePoint))
                {
                    if (++run >= MinInvisibleRun)
                    {
                        return true;
                    }

                    continue;
                }

                run = 0;
                inFlag = codePoint == 0x1F3F4;
                flagTags = 0;
                continue;
            }

            if (InjectionTextNormalizer.IsInvisible(c))
            {
                if (++run >= MinInvisibleRun)
                {
                    return true;
                }

                continue;
            }

            run = 0;
            inFlag = false;
        }

        return false;
    }

    /// <summary>Whether a base64 or hex blob in <paramref name="text"/> decodes to text that matches a text family.</summary>
    public static bool HasEncodedInjection(string text) => HasEncodedInjection(text, 1);

    private static bool HasEncodedInjection(string text, int depth)
    {
        var candidates = 0;
        if (HasRun(text, Base64Chars, MinBase64Run))
        {
            foreach (var match in InjectionPatterns.Base64Candidate().EnumerateMatches(text))
            {
                if (++candidates > MaxCandidates)
                {
                    return false;
                }

                var decoded = DecodeBase64(text.AsSpan(match.Index, Math.Min(match.Length, MaxCandidateChars)));
                if (decoded is not null && IsInjection(decoded, depth))
                {
                    return true;
                }
            }
        }

        if (HasRun(text, HexRunChars, MinHexRun))
        {
            foreach (var match in InjectionPatterns.HexCandidate().EnumerateMatches(text))
            {
                if (++candidates > MaxCandidates)
                {
                    return false;
                }

                var decoded = DecodeHex(text.AsSpan(match.Index, Math.Min(match.Length, MaxCandidateChars)));
                if (decoded is not null && IsInjection(decoded, depth))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // A run of at least this many characters of the set is necessary for a candidate pattern to match, so a
    // text without one skips the pattern (whose possible start is almost any letter or digit). Base64Candidate
    // needs 24 base64 characters in a row; every branch of HexCandidate needs at least 32 characters in a row
    // from hex digits, the separators it allows, and the 'x' and backslash of "0x" and "\x".
    private const int MinBase64Run = 24;
    private const int MinHexRun = 32;
    private static readonly SearchValues<char> Base64Chars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-");
    private static readonly SearchValues<char> HexRunChars = SearchValues.Create("0123456789ABCDEFabcdef :,-x\\");

    private static bool HasRun(ReadOnlySpan<char> text, SearchValues<char> set, int min)
    {
        while (text.Length >= min)
        {
            var start = text.IndexOfAny(set);
            if (start < 0)
            {
                return false;
            }

            text = text[start..];
            var end = text.IndexOfAnyExcept(set);
            if (end < 0)
            {
                return text.Length >= min;
            }

            if (end >= min)
            {
                return true;
            }

            text = text[end..];
        }

        return false;
    }

    private static bool IsInjection(string decoded, int depth)
    {
        char[]? rented = null;
        try
        {
            var normalized = InjectionTextNormalizer.Normalize(decoded, ref rented);
            if (InjectionPatterns.IsInstructionOverride(normalized)
                || InjectionPatterns.IsRoleImpersonation(normalized)
                || InjectionPatterns.IsPromptLeak(normalized))
            {
                return true;
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }

        return HasHiddenCharacters(decoded) || (depth < MaxDepth && HasEncodedInjection(decoded, depth + 1));
    }

    private static string? DecodeBase64(ReadOnlySpan<char> candidate)
    {
        candidate = candidate.TrimEnd('=');
        if (candidate.Length % 4 == 1)
        {
            candidate = candidate[..^1];
        }

        var padded = (candidate.Length + 3) / 4 * 4;
        var chars = ArrayPool<char>.Shared.Rent(padded);
        var bytes = ArrayPool<byte>.Shared.Rent(padded / 4 * 3);
        try
        {
            for (var i = 0; i < candidate.Length; i++)
            {
                chars[i] = candidate[i] switch
                {
                    '-' => '+',
                    '_' => '/',
                    var c => c,
                };
            }

            chars.AsSpan(candidate.Length, padded - candidate.Length).Fill('=');
            return Convert.TryFromBase64Chars(chars.AsSpan(0, padded), bytes, out var written)
                ? AsText(bytes.AsSpan(0, written))
                : null;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static string? DecodeHex(ReadOnlySpan<char> candidate)
    {
        if (candidate.StartsWith("0x", StringComparison.Ordinal))
        {
            candidate = candidate[2..];
        }

        var bytes = ArrayPool<byte>.Shared.Rent(candidate.Length / 2 + 1);
        try
        {
            var count = 0;
            var high = -1;
            foreach (var c in candidate)
            {
                var value = HexValue(c);
                if (value < 0)
                {
                    continue;
                }

                if (high < 0)
                {
                    high = value;
                }
                else
                {
                    bytes[count++] = (byte)((high << 4) | value);
                    high = -1;
                }
            }

            return AsText(bytes.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    // Decoded bytes count as text when they are valid UTF-8 without control characters (other than line breaks and tabs).
    private static string? AsText(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || !Utf8.IsValid(bytes))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes);
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\n' or '\r' or '\t'))
            {
                return null;
            }
        }

        return text;
    }
}
