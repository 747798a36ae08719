using System.Text;
using Aegis.Guardrails.Pii;

namespace Aegis.Core.Tests.Guardrails.Pii;

/// <summary>
/// The phone search gives libphonenumber only the stretches of text that can hold a valid number; it must find
/// exactly what libphonenumber finds in the whole text. Compared over the detector's tables, prose, adversarial
/// cases (separators, extensions, other scripts' digits, text edges, breakers glued to numbers, many short groups)
/// and random texts, for several default regions.
/// </summary>
public sealed class PhoneNumberFinderTests
{
    private const string Prose = "We are reviewing the quarterly supplier report and need a short summary of the delivery delays. ";

    public static TheoryData<string> Regions() => ["US", "GB", "DE", "FR", "IM", "MG", "IN", "BR", "AR", "JP", "NU", "TK"];

    public static IEnumerable<string> Corpus()
    {
        string[] tables =
        [
            // PiiDetectorTests: phones, everything else, look-alikes.
            "Call +44 20 7946 0958 now", "ring +49 30 901820.", "US office (415) 555-2671 is open", "or 415-555-2671 after six",
            "Paris: +33 1 42 68 53 00", "HQ +1 650 253 0000", "card 4111 1111 1111 1111 exp 12/29", "mc 5500-0000-0000-0004.",
            "amex 378282246310005", "visa:4012888888881881", "discover 6011 1111 1111 1117, thanks", "IBAN DE89 3704 0044 0532 0130 00 for rent",
            "pay GB82WEST12345698765432.", "GB82 WEST 1234 5698 7654 32 THEN stop", "FR14 2004 1010 0505 0001 3M02 606", "Norway NO9386011117947",
            "SSN 123-45-6789.", "ssn: 078 05 1120", "(536-90-4399)", "server at 192.168.1.10.", "from 8.8.8.8, then", "ip=255.255.255.255",
            "host 2001:db8::1 is up", "v6 fe80::1ff:fe23:4567:890a.", "mapped ::ffff:192.0.2.128 ok", "see https://example.com/path?q=1.",
            "4111 1111 1111 1112", "ref 1234567812345678", "on 2024-01-15 at 10:30", "due 15/01/2024 or 01.02.2024", "at 12:30:45 sharp",
            "version 1.2.3 and v2.15.0", "SDK 10.0.100 installed", "version 1.2.3.4", "build v1.2.3.4 shipped", "Version: 10.0.0.1",
            "DE89 3704 0044 0532 0130 01", "GB83WEST12345698765432", "SSN 666-12-3456", "SSN 000-12-3456 or 900-12-3456",
            "SSN 123-00-4567 or 123-45-0000", "addr 999.1.1.1", "order #A-10023 and INV-2024-00017", "invoice 2024-0001234, PO 20240115-0042",
            "short 12345 and 42", "mac 00:1A:2B:3C:4D:5E", "3.14159265358979323", "Mail a@b.io or call +44 20 7946 0958; card 378282246310005; host 10.1.2.3.",
            "Contact me at jane.doe@example.com or +1 415 555 0132 about this. " + Prose + Prose,

            // Separators and extensions.
            "+1 (415) 555-0132", "+1.415.555.0132", "415/555/0132", "+1 415 555 0132 ext. 123", "+1 415 555 0132 x 12", "(415) 555-2671#",
            "+1-415-555-0132;ext=55", "+44 20 7946 0958 extension 7", "+34 91 123 45 67 anexo 12", "+7 495 123-45-67 доб. 12",
            "tel:+1-415-555-0132", "+1 415 555 0132, +44 20 7946 0958", "+1 415 555 0132 / +1 415 555 0199", "(530) 583-6985 x302/x2303",
            "011 44 20 7946 0958", "00 44 20 7946 0958", "+683 4002", "+290 22345", "612345", "+44 1624 612345", "0 20 7946 0958",
            "1-800-FLOWERS", "+1 800 FLOWERS now", "+98 9601", "+98 960", "+683 7012", "7012", "3101 and 8999", "+290 8999", "+47 02000", "415\u00A0555\u00A00132", "415\u2010555\u20100132", "+1\u200B415 555 0132",
            "415 555\n0132", "415\t555\t0132", "415 555\r\n0132 and +44 20 7946 0958\n", "  +1 415 555 0132  ",

            // Other scripts' digits.
            "+\u0664\u0664 \u0662\u0660 \u0667\u0669\u0664\u0666 \u0660\u0669\u0665\u0668", "\uFF0B\uFF14\uFF14 \uFF12\uFF10 \uFF17\uFF19\uFF14\uFF16 \uFF10\uFF19\uFF15\uFF18",
            "call \u0968\u0966 \u096D\u096F\u096A\u096C \u0966\u096F\u096B\u096E now 1234567", "\u0661\u0662\u0663 and 4155550132",

            // Text edges, glued letters and symbols (breakers and not).
            "4155550132", "+14155550132 is mine", "call 4155550132", "abc4155550132", "4155550132def", "%4155550132", "$4155550132",
            "4155550132€", "4155550132%", "\"+1 415 555 0132\"", "<+1 415 555 0132>", "[+1 415 555 0132]", "{+1 415 555 0132}",
            "|+1 415 555 0132|", "_4155550132_", "\\4155550132", "x4155550132", "ext4155550132", "on 4155550132 at",
            "no+1 415 555 0132", "a(415) 555-2671", "Tel.+44 20 7946 0958", "Nr:+49 30 901820", "#4155550132", "~4155550132~",

            // Time stamps, publication pages, dates, many short groups.
            "2012-01-02 08:00:30", "2012-01-02 08:00", "Chen Li. VLDB J. 12(3): 211-227 (2003).", "3/10/2011 and 31/10/96 or 08/31/95",
            "1 2 3 4 5 6 7 8 9 0 1 2", "12, 45, 7, 2024, 3 May, 18 boxes", "On 3 May we shipped 12 boxes and 45 pallets to 7 stores, 2 late.",
            "1.2.3.4.5.6.7.8.9", "1-2-3-4-5-6-7-8", "(1)(2)(3)(4)(5)(6)(7)", "+1+2+3+4+5+6+7", "99 99 99 99 99 99 99 99 99 99 99",
        ];

        var texts = new List<string>(tables);
        foreach (var text in tables)
        {
            texts.Add(Prose + text + " " + Prose);
            texts.Add(text + "\n" + text);
        }

        return texts;
    }

    [Theory]
    [MemberData(nameof(Regions))]
    public void Finds_what_libphonenumber_finds_in_the_whole_text(string region)
    {
        var finder = new PhoneNumberFinder(region);
        var found = 0;
        foreach (var text in Corpus().Concat(RandomTexts(region.GetHashCode(StringComparison.Ordinal), 1500)))
        {
            var expected = finder.FindInWholeText(text);
            Assert.Equal(expected, Find(finder, text));
            found += expected.Count;
        }

        Assert.True(found > 50, $"only {found} numbers found: the texts no longer exercise the search ({region})");
    }

    [Fact]
    public void Every_number_found_has_at_least_the_minimum_digits()
    {
        foreach (var region in Regions())
        {
            var finder = new PhoneNumberFinder(region);
            Assert.InRange(finder.MinimumDigits, 2, 10);
            foreach (var text in Corpus())
            {
                foreach (var (start, length) in finder.FindInWholeText(text))
                {
                    Assert.True(text.Substring(start, length).Count(char.IsDigit) >= finder.MinimumDigits, $"{region}: a number at {start} has few digits");
                }
            }
        }
    }

    [Fact]
    public void Minimum_for_the_default_region_us_is_six_digits_and_that_is_tight()
    {
        // The shortest valid numbers for a US text are international: a two-digit country code and four digits.
        var finder = new PhoneNumberFinder("US");
        Assert.Equal(6, finder.MinimumDigits);
        Assert.Equal([(5, 8)], Find(finder, "call +98 9601 now"));
        Assert.Empty(Find(finder, "In Q3 2024 we had 12 boxes, 45 pallets and 3 stores; order 12345."));
    }

    [Theory]
    [MemberData(nameof(Regions))]
    public void No_example_number_in_the_metadata_has_fewer_digits_than_the_minimum(string region)
    {
        // libphonenumber's own example numbers of every region and type, international and (for the default region) national.
        var util = PhoneNumbers.PhoneNumberUtil.GetInstance();
        var finder = new PhoneNumberFinder(region);
        var checkedNumbers = 0;
        foreach (var r in util.GetSupportedRegions())
        {
            foreach (var type in Enum.GetValues<PhoneNumbers.PhoneNumberType>())
            {
                if (util.GetExampleNumberForType(r, type) is not { } example)
                {
                    continue;
                }

                var formats = r == region ? new[] { PhoneNumbers.PhoneNumberFormat.INTERNATIONAL, PhoneNumbers.PhoneNumberFormat.NATIONAL } : [PhoneNumbers.PhoneNumberFormat.INTERNATIONAL];
                foreach (var format in formats)
                {
                    var text = "call " + util.Format(example, format) + " now";
                    var expected = finder.FindInWholeText(text);
                    Assert.Equal(expected, Find(finder, text));
                    foreach (var (start, length) in expected)
                    {
                        Assert.True(text.Substring(start, length).Count(char.IsDigit) >= finder.MinimumDigits, $"{region}: {r} {type} is shorter than the minimum");
                        checkedNumbers++;
                    }
                }
            }
        }

        Assert.True(checkedNumbers > 1000, $"only {checkedNumbers} example numbers found");
    }

    [Fact]
    public void Short_digit_groups_never_reach_libphonenumber_but_numbers_among_them_are_found()
    {
        var finder = new PhoneNumberFinder("US");
        var text = "In 2024 we shipped 12 boxes (3 late) to 45 stores; call +1 650 253 0000 or 4155550132, ref 99.";
        Assert.Equal(finder.FindInWholeText(text), Find(finder, text));
        Assert.Equal(2, Find(finder, text).Count);
    }

    private static List<(int Start, int Length)> Find(PhoneNumberFinder finder, string text)
    {
        List<PiiMatch>? matches = null;
        finder.Find(text, ref matches);
        return matches?.ConvertAll(m => (m.Start, m.Length)) ?? [];
    }

    // Numbers and near-numbers glued from fragments: digit groups in several scripts, separators, extensions, letters.
    private static IEnumerable<string> RandomTexts(int seed, int count)
    {
        var random = new Random(seed);
        string[] digits = ["0123456789", "0123456789", "0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669", "\uFF10\uFF11\uFF12\uFF13\uFF14\uFF15\uFF16\uFF17\uFF18\uFF19"];
        string[] glue =
        [
            " ", " ", " ", "-", "-", ".", "/", "(", ")", "+", "+", "x", " ext ", " ext. ", ";ext=", ",", ";", ":", "#", "~", "\u00A0", "\n", "\t",
            "a", "b", "o", "t", "Q", "é", "д", "@", "%", "$", "€", "!", "?", "_", "<", "\"", " and ", " or call ", ". ", ", ",
        ];
        for (var n = 0; n < count; n++)
        {
            var text = new StringBuilder();
            for (var parts = random.Next(1, 10); parts > 0; parts--)
            {
                var set = digits[random.Next(digits.Length)];
                for (var k = random.Next(1, 11); k > 0; k--)
                {
                    text.Append(set[random.Next(set.Length)]);
                }

                text.Append(glue[random.Next(glue.Length)]);
            }

            yield return random.Next(4) == 0 ? Prose + text : text.ToString();
        }
    }
}
