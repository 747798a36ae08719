using System.Text;
using Aegis.Guardrails.Pii;

namespace Aegis.Core.Tests.Guardrails.Pii;

/// <summary>
/// The detector skips the card, IBAN, SSN and IPv4 patterns when the text's digit runs rule them out; the rule
/// must never skip a pattern that matches. Checked against the bare patterns over the detector's tables and
/// random texts of digit groups, separators and capital letters.
/// </summary>
public sealed class PiiDigitShapeTests
{
    private static readonly PiiDetector All = new(new PiiGuardrailOptions());

    [Fact]
    public void A_skipped_pattern_never_matches()
    {
        var matched = new int[4];
        foreach (var text in PhoneNumberFinderTests.Corpus().Concat(RandomTexts(2, 20000)))
        {
            var shape = PiiDetector.DigitShape.Of(text);
            var card = PiiPatterns.CreditCard().IsMatch(text);
            var iban = PiiPatterns.Iban().IsMatch(text);
            var ssn = PiiPatterns.UsSsn().IsMatch(text);
            var ipv4 = PiiPatterns.IPv4().IsMatch(text);
            Assert.True(!card || shape.LongestGroup >= 13, text);
            Assert.True(!iban || shape.IbanStart, text);
            Assert.True(!ssn || shape.SsnShape, text);
            Assert.True(!ipv4 || shape.DotBetweenDigits, text);
            Assert.Equal(text.Count(char.IsAsciiDigit), shape.Digits);
            matched[0] += card ? 1 : 0;
            matched[1] += iban ? 1 : 0;
            matched[2] += ssn ? 1 : 0;
            matched[3] += ipv4 ? 1 : 0;
        }

        Assert.All(matched, m => Assert.True(m > 100, $"only {m} matches: the texts no longer exercise a pattern"));
    }

    [Fact]
    public void Ssn_groups_sit_at_fixed_offsets_of_every_match()
    {
        foreach (var text in RandomTexts(3, 5000))
        {
            for (var m = PiiPatterns.UsSsn().Match(text); m.Success; m = m.NextMatch())
            {
                Assert.Equal(11, m.Length);
                Assert.Equal(m.Index, m.Groups["area"].Index);
                Assert.Equal(m.Index + 4, m.Groups["group"].Index);
                Assert.Equal(m.Index + 7, m.Groups["serial"].Index);
            }
        }
    }

    [Fact]
    public void Detections_do_not_depend_on_where_a_number_sits()
    {
        // At the start, the end, alone: the runs next to the text's edges are handled like any other.
        foreach (var value in new[] { "4111 1111 1111 1111", "GB82WEST12345698765432", "536-90-4399", "192.168.1.10", "+44 20 7946 0958" })
        {
            foreach (var text in new[] { value, value + " end", "start " + value, "start " + value + "." })
            {
                List<PiiMatch>? matches = null;
                All.Detect(text, ref matches);
                Assert.Contains(matches!, m => text.Substring(m.Start, m.Length) == value);
            }
        }
    }

    // Digit groups glued by separators and letters; half of them shaped like a card, an IBAN, an SSN or a dotted quad.
    private static IEnumerable<string> RandomTexts(int seed, int count)
    {
        var random = new Random(seed);
        string[] glue = [" ", " ", "-", "-", ".", ".", ",", "/", ":", "", "GB", "DE", "AB", "x", "a", "Q ", "  ", "\n"];
        int[][] shapes = [[4, 4, 4, 4], [4, 6, 5], [3, 2, 4], [3, 2, 4], [1, 3, 2, 3], [3, 3, 3, 3], [2, 4, 4, 4, 4, 2], [15], [16]];
        string[] separators = [" ", "-", ".", " ", "-", ".", "", "  ", ","];
        for (var n = 0; n < count; n++)
        {
            var text = new StringBuilder();
            for (var parts = random.Next(1, 4); parts > 0; parts--)
            {
                text.Append(glue[random.Next(glue.Length)]);
                var shaped = random.Next(2) == 0;
                var groups = shaped ? shapes[random.Next(shapes.Length)] : [.. Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(1, 6))];
                var separator = separators[random.Next(separators.Length)];
                for (var g = 0; g < groups.Length; g++)
                {
                    if (g > 0)
                    {
                        text.Append(random.Next(8) == 0 ? separators[random.Next(separators.Length)] : separator);
                    }

                    for (var k = groups[g] + (random.Next(6) == 0 ? random.Next(-1, 2) : 0); k > 0; k--)
                    {
                        text.Append((char)('0' + random.Next(10)));
                    }
                }
            }

            text.Append(glue[random.Next(glue.Length)]);
            yield return text.ToString();
        }
    }
}
