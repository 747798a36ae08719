using System.Buffers;
using PhoneNumbers;

namespace Aegis.Guardrails.Pii;

/// <summary>
/// Phone numbers as libphonenumber finds them (<see cref="PhoneNumberUtil.FindNumbers(string, string)"/>, leniency
/// VALID), without running its matcher over the whole text: libphonenumber is only given the stretches of text that
/// can hold a number with enough digits to be valid, each with the characters around it that its rules look at. The
/// matches are the ones it finds in the whole text (the tests compare the two). Immutable and thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// <b>Stretches.</b> A number that libphonenumber's matcher accepts is made of digits (any Unicode decimal digit),
/// a leading <c>+</c> or bracket, separators (spaces, tabs, dashes, dots, slashes, brackets, <c>~</c>) and an
/// extension (<c>;ext=</c>, <c>ext.</c>, <c>x</c>, <c>#</c>, <c>anexo</c>, <c>доб</c>... with <c>,</c> <c>:</c>).
/// None of that contains a <em>breaker</em>: an ASCII letter other than a, e, i, n, o, s, t, x (either case), a
/// control character other than tab (line breaks included), or one of <c>! " $ % &amp; ' * &lt; &gt; ? @ \ ^ _ ` { | }</c>.
/// So the text splits at breakers into stretches, no match crosses one, and the matcher finds in a stretch exactly
/// what it finds there in the whole text: it starts its search at the stretch, and besides the candidate itself it
/// only reads the character before and after it (a Latin letter or a currency sign rejects it) and the three after
/// it (a time stamp's <c>:ss</c>), which the stretch holds up to the breakers at both ends, included as context.
/// Non-ASCII characters are never breakers (kept conservative: they may be part of a number).
/// </para>
/// <para>
/// <b>Digits.</b> A valid number has a national significant number of a length its region allows (the shortest
/// over all regions is four digits), after the country code when one is given. Parsing may add digits: a region's
/// national-prefix transform rule inserts its literal digits (the Isle of Man's <c>1624$1</c>), and letters become
/// digits in vanity numbers. So a stretch is given to libphonenumber only when its digits, plus the letters that
/// lie between its first digit (or leading <c>+</c>/bracket) and its last digit, reach
/// <see cref="MinimumDigits"/>: the fewest a valid number can have for the default region (national format) or any
/// country code (international), less the transform rule's digits, computed from libphonenumber's own metadata.
/// With the default region <c>US</c> that is six (<c>+98 9601</c> is valid): years, counts and short ids never
/// reach libphonenumber, whose parser throws and catches an exception for most of them. The tests check the
/// bound against every example number in libphonenumber's metadata.
/// </para>
/// </remarks>
internal sealed class PhoneNumberFinder
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    // ASCII characters that cannot be part of a number libphonenumber's matcher finds.
    private static readonly SearchValues<char> Breakers = SearchValues.Create(AsciiExcept("0123456789 \t+()[]-./~;=,:#aeinostxAEINOSTX"));

    private readonly string _region;

    /// <summary>Creates a finder for numbers written without a country code in <paramref name="region"/>.</summary>
    public PhoneNumberFinder(string region)
    {
        _region = region;
        MinimumDigits = ComputeMinimumDigits(region);
    }

    /// <summary>Digits (and letters that may become digits) a stretch needs to be worth parsing.</summary>
    public int MinimumDigits { get; }

    /// <summary>Adds the phone numbers in <paramref name="text"/> to <paramref name="matches"/>.</summary>
    public void Find(ReadOnlySpan<char> text, ref List<PiiMatch>? matches)
    {
        var position = 0;
        while (position < text.Length)
        {
            var at = NextDigit(text, position);
            if (at < 0)
            {
                return;
            }

            var start = at;
            while (start > 0 && !IsBreaker(text[start - 1]))
            {
                start--;
            }

            var end = at + 1;
            while (end < text.Length && !IsBreaker(text[end]))
            {
                end++;
            }

            if (PotentialDigits(text[start..end]) >= MinimumDigits)
            {
                // One breaker (or the text's edge) of context on each side.
                var from = Math.Max(0, start - 1);
                var to = Math.Min(text.Length, end + 1);
                Parse(text[from..to], from, ref matches);
            }

            position = end;
        }
    }

    /// <summary>The offset of the first decimal digit (any script) at or after <paramref name="from"/>, or -1.</summary>
    private static int NextDigit(ReadOnlySpan<char> text, int from)
    {
        var rest = text[from..];
        var ascii = rest.IndexOfAnyInRange('0', '9');
        var limit = ascii < 0 ? rest.Length : ascii;
        var nonAscii = rest[..limit].IndexOfAnyInRange('\u0080', '\uFFFF');
        if (nonAscii >= 0)
        {
            // Other scripts' digits (Arabic-Indic, full-width, ...) count: libphonenumber reads them.
            for (var i = nonAscii; i < limit; i++)
            {
                if (char.IsDigit(rest[i]))
                {
                    return from + i;
                }
            }
        }

        return ascii < 0 ? -1 : from + ascii;
    }

    /// <summary>libphonenumber over the whole text, for the tests that compare it with <see cref="Find"/>.</summary>
    internal List<(int Start, int Length)> FindInWholeText(string text) =>
        [.. Phones.FindNumbers(text, _region).Select(static m => (m.Start, m.Length))];

    private static bool IsBreaker(char c) => c < 128 && Breakers.Contains(c);

    private static bool IsLead(char c) => c is '+' or '(' or '[' or '\uFF0B' or '\uFF08' or '\uFF3B';

    /// <summary>The digits of a stretch plus the letters between its first digit or lead character and its last digit.</summary>
    private static int PotentialDigits(ReadOnlySpan<char> stretch)
    {
        var digits = 0;
        var letters = 0;
        var pending = 0;
        var started = false;
        foreach (var c in stretch)
        {
            if (char.IsDigit(c))
            {
                digits++;
                letters += pending;
                pending = 0;
                started = true;
            }
            else if (IsLead(c))
            {
                started = true;
            }
            else if (started && char.IsLetter(c))
            {
                pending++;
            }
        }

        return digits + letters;
    }

    private void Parse(ReadOnlySpan<char> window, int offset, ref List<PiiMatch>? matches)
    {
        // The matcher FindNumbers(text, region) wraps (leniency VALID, no try limit), without its iterator and closure.
        using var matcher = new PhoneNumberMatcher(Phones, window.ToString(), _region, PhoneNumberUtil.Leniency.VALID, long.MaxValue);
        while (matcher.MoveNext())
        {
            var m = matcher.Current;
            (matches ??= []).Add(new PiiMatch(offset + m.Start, m.Length, PiiEntity.PhoneNumber));
        }
    }

    private static int ComputeMinimumDigits(string region)
    {
        // National format in the default region: its country code's shortest number, less its transform rule's digits.
        var minimum = ShortestNumber(Phones.GetCountryCodeForRegion(region)) - InsertedDigits(Phones.GetMetadataForRegion(region));

        // International format: the country code, then its shortest number, less the transform rule of its main region.
        // (Whatever else parsing strips, an international or carrier prefix, a national prefix, only removes digits.)
        var codes = new HashSet<int>(Phones.GetSupportedGlobalNetworkCallingCodes());
        foreach (var r in Phones.GetSupportedRegions())
        {
            codes.Add(Phones.GetCountryCodeForRegion(r));
        }

        foreach (var code in codes)
        {
            var main = Phones.GetRegionCodeForCountryCode(code);
            var metadata = main == "001" ? Phones.GetMetadataForNonGeographicalRegion(code) : Phones.GetMetadataForRegion(main);
            var digits = code.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
            minimum = Math.Min(minimum, digits + ShortestNumber(code) - InsertedDigits(metadata));
        }

        return Math.Max(1, minimum);
    }

    /// <summary>The shortest national significant number valid in any region of <paramref name="code"/>.</summary>
    private static int ShortestNumber(int code)
    {
        // libphonenumber rejects anything shorter than two digits; a region without lengths could be that short.
        const int ParserMinimum = 2;
        var shortest = int.MaxValue;
        foreach (var r in Phones.GetRegionCodesForCountryCode(code))
        {
            var metadata = r == "001" ? Phones.GetMetadataForNonGeographicalRegion(code) : Phones.GetMetadataForRegion(r);
            var lengths = metadata?.GeneralDesc?.PossibleLengthList;
            shortest = Math.Min(shortest, lengths is { Count: > 0 } ? lengths.Min() : ParserMinimum);
        }

        return shortest == int.MaxValue ? ParserMinimum : Math.Max(ParserMinimum, shortest);
    }

    /// <summary>The literal digits a region's national-prefix transform rule inserts (<c>1624$1</c> → 4; group references not counted).</summary>
    private static int InsertedDigits(PhoneMetadata? metadata)
    {
        var rule = metadata is { HasNationalPrefixTransformRule: true } ? metadata.NationalPrefixTransformRule : null;
        var count = 0;
        for (var i = 0; rule is not null && i < rule.Length; i++)
        {
            if (rule[i] == '$')
            {
                while (i + 1 < rule.Length && char.IsAsciiDigit(rule[i + 1]))
                {
                    i++;
                }
            }
            else if (char.IsAsciiDigit(rule[i]))
            {
                count++;
            }
        }

        return count;
    }

    private static string AsciiExcept(string keep)
    {
        var chars = new List<char>(128);
        for (var c = '\0'; c < (char)128; c++)
        {
            if (!keep.Contains(c, StringComparison.Ordinal))
            {
                chars.Add(c);
            }
        }

        return new string([.. chars]);
    }
}
