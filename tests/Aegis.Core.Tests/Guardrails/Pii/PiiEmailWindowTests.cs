using Aegis.Guardrails.Pii;

namespace Aegis.Core.Tests.Guardrails.Pii;

/// <summary>The detector scans for emails only around each '@'; it must find exactly what the pattern finds in the whole text.</summary>
public sealed class PiiEmailWindowTests
{
    private static readonly PiiDetector Emails = new(new PiiGuardrailOptions { Entities = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "EMAIL_ADDRESS" } });

    [Theory]
    [InlineData("Contact me at jane.doe@example.com or +1 415 555 0132 about this.")]
    [InlineData("x@a.com.y@b.com")]
    [InlineData("a@b@c.com")]
    [InlineData("@start.com and end@")]
    [InlineData("one@a.io,two@b.io;three@c.io four@@d.io five@e.i")]
    [InlineData("first.last+tag@sub.example.co.uk.")]
    [InlineData("weird..dots@example.com -lead@example.com _x@example.com %y@exa-mple.com")]
    [InlineData("name@-bad.com name@bad-.com name@ok.c0m name@ok.com-")]
    [InlineData("mail jane.doe@example.com@example.org and bob@example.org.")]
    [InlineData("<a@b.cd>(c@d.ef)[e@f.gh]\"g@h.ij\"")]
    [InlineData("no at sign at all")]
    [InlineData("@")]
    [InlineData("a@b.cd")]
    public void Window_scan_finds_what_the_whole_text_scan_finds(string text)
    {
        var expected = new List<(int, int)>();
        foreach (var m in PiiPatterns.Email().EnumerateMatches(text))
        {
            expected.Add((m.Index, m.Length));
        }

        List<PiiMatch>? found = null;
        Emails.Detect(text, ref found);
        var actual = found?.ConvertAll(m => (m.Start, m.Length)) ?? [];
        Assert.Equal(expected, actual);
    }
}
