using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
        var (base64Run, hexRun) = LongestRuns(text);
        var candidates = 0;
        if (base64Run)
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

        if (hexRun)
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
    internal const int MinBase64Run = 24;
    internal const int MinHexRun = 32;

    private const byte Base64Class = 1;
    private const byte HexRunClass = 2;

    /// <summary>
    /// Per ASCII character: <see cref="Base64Class"/> for <c>A-Z a-z 0-9 + / _ -</c> (what Base64Candidate repeats),
    /// <see cref="HexRunClass"/> for <c>0-9 A-F a-f</c>, space, <c>: , - x \</c> (what a HexCandidate match is made of).
    /// Every other character, all non-ASCII ones included, is in neither set.
    /// </summary>
    private static ReadOnlySpan<byte> RunClasses =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 0, 0, 0, 0, 0,
        0, 3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 2, 0, 0, 1,
        0, 3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1, 1, 0, 0, 0, 0, 0,
    ];

    /// <summary>
    /// One pass over <paramref name="text"/>: whether it holds a run of at least <see cref="MinBase64Run"/> base64
    /// characters, and one of at least <see cref="MinHexRun"/> hex-run characters (the sets of
    /// <see cref="RunClasses"/>). Ordinary prose has neither and skips both candidate patterns. Vectorised: each
    /// block of 64 characters becomes two bit masks (one bit per character in the set) in which a long run of ones is
    /// found by shifting and masking, carried over from block to block; a vectorised search per run would cost a
    /// call every few characters of prose, which changes set at every space.
    /// </summary>
    internal static (bool Base64, bool Hex) LongestRuns(ReadOnlySpan<char> text)
    {
        var base64 = 0;
        var hex = 0;
        var i = 0;
        if (Vector128.IsHardwareAccelerated && text.Length >= 64)
        {
            ref var start = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            for (; i <= text.Length - 64; i += 64)
            {
                ulong base64Mask = 0;
                ulong hexMask = 0;
                for (var block = 0; block < 8; block++)
                {
                    var (b, h) = Classify(Vector128.LoadUnsafe(ref start, (nuint)(i + block * 8)));
                    base64Mask |= (ulong)b << (block * 8);
                    hexMask |= (ulong)h << (block * 8);
                }

                var (base64Before, hexBefore) = (base64, hex);
                if (HasRun(base64Mask, MinBase64Run, ref base64) | HasRun(hexMask, MinHexRun, ref hex))
                {
                    // Rare (a blob is there): the scalar pass finishes from this block for the exact pair of answers.
                    return ScalarRuns(text[i..], base64Before, hexBefore);
                }
            }
        }

        return ScalarRuns(text[i..], base64, hex);
    }

    // One bit per character of the 8 in the vector: in the base64 set, in the hex-run set.
    private static (uint Base64, uint Hex) Classify(Vector128<ushort> v)
    {
        var lower = v | Vector128.Create((ushort)0x20);
        var letter = Vector128.LessThanOrEqual(lower - Vector128.Create((ushort)'a'), Vector128.Create((ushort)25));
        var digit = Vector128.LessThanOrEqual(v - Vector128.Create((ushort)'0'), Vector128.Create((ushort)9));
        var dash = Vector128.Equals(v, Vector128.Create((ushort)'-'));
        var base64 = letter | digit | dash
            | Vector128.Equals(v, Vector128.Create((ushort)'+'))
            | Vector128.Equals(v, Vector128.Create((ushort)'/'))
            | Vector128.Equals(v, Vector128.Create((ushort)'_'));
        var hex = digit | dash
            | Vector128.LessThanOrEqual(lower - Vector128.Create((ushort)'a'), Vector128.Create((ushort)5))
            | Vector128.Equals(v, Vector128.Create((ushort)' '))
            | Vector128.Equals(v, Vector128.Create((ushort)':'))
            | Vector128.Equals(v, Vector128.Create((ushort)','))
            | Vector128.Equals(v, Vector128.Create((ushort)'x'))
            | Vector128.Equals(v, Vector128.Create((ushort)'\\'));
        return (base64.ExtractMostSignificantBits(), hex.ExtractMostSignificantBits());
    }

    /// <summary>
    /// Whether <paramref name="mask"/> (bit i = character i of a 64-character block) holds a run of at least
    /// <paramref name="min"/> (24 or 32) ones, counting the <paramref name="carry"/> ones that ended the previous
    /// block; updates <paramref name="carry"/> to the ones that end this one.
    /// </summary>
    private static bool HasRun(ulong mask, int min, ref int carry)
    {
        if (carry + BitOperations.TrailingZeroCount(~mask) >= min)
        {
            return true;
        }

        var ones8 = mask & (mask >> 1);
        ones8 &= ones8 >> 2;
        ones8 &= ones8 >> 4;
        var ones16 = ones8 & (ones8 >> 8);
        var within = min == MinBase64Run ? ones16 & (ones8 >> 16) : ones16 & (ones16 >> 16);
        if (within != 0)
        {
            return true;
        }

        carry = mask == ulong.MaxValue ? carry + 64 : BitOperations.LeadingZeroCount(~mask);
        return false;
    }

    private static (bool Base64, bool Hex) ScalarRuns(ReadOnlySpan<char> text, int base64, int hex)
    {
        var classes = RunClasses;
        var foundBase64 = base64 >= MinBase64Run;
        var foundHex = hex >= MinHexRun;
        foreach (var c in text)
        {
            int cls = c < 128 ? classes[c] : 0;
            base64 = (cls & Base64Class) != 0 ? base64 + 1 : 0;
            hex = (cls & HexRunClass) != 0 ? hex + 1 : 0;
            foundBase64 |= base64 >= MinBase64Run;
            foundHex |= hex >= MinHexRun;
        }

        return (foundBase64, foundHex);
    }

    private static bool IsInjection(string decoded, int depth)
    {
        char[]? rented = null;
        try
        {
            var normalized = InjectionTextNormalizer.Normalize(decoded, ref rented);
            if (InjectionPatterns.FirstMatch(normalized, InjectionPatterns.TextFamilies) != InjectionFamily.None)
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
