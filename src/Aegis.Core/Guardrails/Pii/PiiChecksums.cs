namespace Aegis.Guardrails.Pii;

/// <summary>The validators that turn a candidate into a detection: Luhn, IBAN mod-97 with per-country length, SSN ranges.</summary>
internal static class PiiChecksums
{
    /// <summary>
    /// Whether <paramref name="candidate"/> (digits with optional spaces or dashes) is a card number: 13-19 digits,
    /// issuer digit 2-6 (the major networks), Luhn-valid.
    /// </summary>
    public static bool IsCreditCard(ReadOnlySpan<char> candidate)
    {
        Span<byte> digits = stackalloc byte[19];
        var n = 0;
        foreach (var c in candidate)
        {
            if (char.IsAsciiDigit(c))
            {
                if (n == digits.Length)
                {
                    return false;
                }

                digits[n++] = (byte)(c - '0');
            }
        }

        if (n < 13 || digits[0] < 2 || digits[0] > 6)
        {
            return false;
        }

        var sum = 0;
        var doubleIt = false;
        for (var i = n - 1; i >= 0; i--)
        {
            int d = digits[i];
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }

    /// <summary>
    /// Confirms an IBAN at the start of <paramref name="candidate"/>: known country, exact length for it, spaces (if any)
    /// only between groups of four, not followed by a letter or digit in <paramref name="text"/>,
    /// and mod-97 == 1. Returns the number of characters of <paramref name="candidate"/> that form the IBAN, or 0.
    /// </summary>
    /// <param name="candidate">The regex candidate.</param>
    /// <param name="text">The whole text, to check the character after the IBAN.</param>
    /// <param name="candidateStart">Offset of <paramref name="candidate"/> in <paramref name="text"/>.</param>
    public static int MatchIban(ReadOnlySpan<char> candidate, ReadOnlySpan<char> text, int candidateStart)
    {
        var expected = IbanLength(candidate[0], candidate[1]);
        if (expected == 0)
        {
            return 0;
        }

        Span<char> compact = stackalloc char[34];
        var n = 0;
        var i = 0;
        for (; i < candidate.Length && n < expected; i++)
        {
            var c = candidate[i];
            if (c == ' ')
            {
                if (n % 4 != 0)
                {
                    return 0;
                }

                continue;
            }

            compact[n++] = c;
        }

        if (n != expected)
        {
            return 0;
        }

        var end = candidateStart + i;
        if (end < text.Length && char.IsAsciiLetterOrDigit(text[end]))
        {
            return 0;
        }

        var remainder = 0;
        for (var k = 0; k < expected; k++)
        {
            var c = compact[(k + 4) % expected];
            remainder = char.IsAsciiDigit(c)
                ? ((remainder * 10) + (c - '0')) % 97
                : ((remainder * 100) + (c - 'A' + 10)) % 97;
        }

        return remainder == 1 ? i : 0;
    }

    /// <summary>Whether the SSN parts are in issued ranges: area not 000, 666 or 900-999; group not 00; serial not 0000.</summary>
    public static bool IsUsSsn(ReadOnlySpan<char> area, ReadOnlySpan<char> group, ReadOnlySpan<char> serial)
    {
        if (area is "000" or "666" || area[0] == '9')
        {
            return false;
        }

        return group is not "00" && serial is not "0000";
    }

    /// <summary>The IBAN length of the country <paramref name="a"/><paramref name="b"/> (SWIFT IBAN registry), or 0 if unknown.</summary>
    public static int IbanLength(char a, char b) => (a, b) switch
    {
        ('A', 'D') => 24, ('A', 'E') => 23, ('A', 'L') => 28, ('A', 'T') => 20, ('A', 'Z') => 28,
        ('B', 'A') => 20, ('B', 'E') => 16, ('B', 'G') => 22, ('B', 'H') => 22, ('B', 'I') => 27, ('B', 'R') => 29, ('B', 'Y') => 28,
        ('C', 'H') => 21, ('C', 'R') => 22, ('C', 'Y') => 28, ('C', 'Z') => 24,
        ('D', 'E') => 22, ('D', 'J') => 27, ('D', 'K') => 18, ('D', 'O') => 28,
        ('E', 'E') => 20, ('E', 'G') => 29, ('E', 'S') => 24,
        ('F', 'I') => 18, ('F', 'K') => 18, ('F', 'O') => 18, ('F', 'R') => 27,
        ('G', 'B') => 22, ('G', 'E') => 22, ('G', 'I') => 23, ('G', 'L') => 18, ('G', 'R') => 27, ('G', 'T') => 28,
        ('H', 'R') => 21, ('H', 'U') => 28,
        ('I', 'E') => 22, ('I', 'L') => 23, ('I', 'Q') => 23, ('I', 'S') => 26, ('I', 'T') => 27,
        ('J', 'O') => 30,
        ('K', 'W') => 30, ('K', 'Z') => 20,
        ('L', 'B') => 28, ('L', 'C') => 32, ('L', 'I') => 21, ('L', 'T') => 20, ('L', 'U') => 20, ('L', 'V') => 21, ('L', 'Y') => 25,
        ('M', 'C') => 27, ('M', 'D') => 24, ('M', 'E') => 22, ('M', 'K') => 19, ('M', 'N') => 20, ('M', 'R') => 27, ('M', 'T') => 31, ('M', 'U') => 30,
        ('N', 'I') => 28, ('N', 'L') => 18, ('N', 'O') => 15,
        ('O', 'M') => 23,
        ('P', 'K') => 24, ('P', 'L') => 28, ('P', 'S') => 29, ('P', 'T') => 25,
        ('Q', 'A') => 29,
        ('R', 'O') => 24, ('R', 'S') => 22, ('R', 'U') => 33,
        ('S', 'A') => 24, ('S', 'C') => 31, ('S', 'D') => 18, ('S', 'E') => 24, ('S', 'I') => 19, ('S', 'K') => 24, ('S', 'M') => 27, ('S', 'O') => 23, ('S', 'T') => 25, ('S', 'V') => 28,
        ('T', 'L') => 23, ('T', 'N') => 24, ('T', 'R') => 26,
        ('U', 'A') => 29,
        ('V', 'A') => 22, ('V', 'G') => 24,
        ('X', 'K') => 20,
        ('Y', 'E') => 30,
        _ => 0,
    };
}
