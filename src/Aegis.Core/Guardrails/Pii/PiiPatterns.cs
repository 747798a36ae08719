using System.Text.RegularExpressions;

namespace Aegis.Guardrails.Pii;

/// <summary>
/// The candidate finders of the <c>pii</c> pack (source-generated). They are deliberately loose about content and
/// strict about boundaries: each candidate is then confirmed by a checksum or a parser in <see cref="PiiDetector"/>.
/// </summary>
internal static partial class PiiPatterns
{
    /// <summary>local@domain.tld; the local part and the domain labels in the usual unquoted form.</summary>
    [GeneratedRegex(
        @"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9_%+\-][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}(?![A-Za-z0-9\-])",
        RegexOptions.CultureInvariant)]
    public static partial Regex Email();

    /// <summary>http://, https:// or www. up to whitespace, quotes or angle brackets (trailing punctuation is trimmed afterwards).</summary>
    [GeneratedRegex(
        @"(?:\bhttps?://|(?<![\w.\-])www\.)[^\s<>""'`]+",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    public static partial Regex Url();

    /// <summary>13-19 digits with optional single spaces or dashes between them, not glued to other digits or words.</summary>
    [GeneratedRegex(
        @"(?<![\w.,/\-]|[0-9][ \-])[0-9](?:[ \-]?[0-9]){12,18}(?![\w]|[ \-][0-9]|[.,][0-9])",
        RegexOptions.CultureInvariant)]
    public static partial Regex CreditCard();

    /// <summary>Country code, check digits, then alphanumerics with optional single spaces; the exact length is checked per country.</summary>
    [GeneratedRegex(
        @"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}",
        RegexOptions.CultureInvariant)]
    public static partial Regex Iban();

    /// <summary>AAA-GG-SSSS or AAA GG SSSS (the same separator twice).</summary>
    [GeneratedRegex(
        @"(?<![\w\-]|[0-9] )(?<area>[0-9]{3})(?<sep>[\- ])(?<group>[0-9]{2})\k<sep>(?<serial>[0-9]{4})(?![\w]|[\- ][0-9])",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    public static partial Regex UsSsn();

    /// <summary>
    /// A dotted quad not glued to letters, digits or dots, and not preceded by <c>v</c>, <c>ver</c> or <c>version</c>
    /// (optionally with a dot, a colon and spaces): those are version strings.
    /// </summary>
    [GeneratedRegex(
        @"(?<![\w.])(?<!\b(?:version|ver|v)\.?[ \t]*:?[ \t]*)(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![\w]|\.[0-9])",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    public static partial Regex IPv4();

    /// <summary>Hex groups separated by colons (at least two colons), optionally ending in an embedded dotted quad.</summary>
    [GeneratedRegex(
        @"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?<=:)(?:[0-9]{1,3}\.){3}[0-9]{1,3})?(?![\w:]|\.\w)",
        RegexOptions.CultureInvariant)]
    public static partial Regex IPv6();

    /// <summary>A placeholder shape, <c>&lt;TYPE_n&gt;</c>; whether it belongs to the run is looked up in the mask map.</summary>
    [GeneratedRegex(@"<[A-Z][A-Z0-9_]*_[0-9]+>", RegexOptions.CultureInvariant)]
    public static partial Regex Placeholder();
}
