using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Aegis.Guardrails.Pii;

/// <summary>
/// One pass over a text that returns the sensitive values in it as offsets and entity types: the candidates of every
/// enabled detector, confirmed by their validators, then reduced to non-overlapping matches (the longer, or the
/// checksum-confirmed, detection wins). Immutable and thread-safe.
/// </summary>
internal sealed class PiiDetector
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();
    private static readonly Comparison<PiiMatch> ByStartThenLonger = static (a, b) =>
        a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length);

    // The characters of an email's local part (and of the pattern's look-behind) and of its domain.
    private static readonly SearchValues<char> EmailLocalChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-");
    private static readonly SearchValues<char> EmailDomainChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-");

    // "www." in any case. A vectorised search: string.Contains with OrdinalIgnoreCase runs a per-character
    // case-mapping loop under invariant globalization (the gateway's mode). Same matches.
    private static readonly SearchValues<string> WwwPrefix = SearchValues.Create(["www."], StringComparison.OrdinalIgnoreCase);

    private readonly bool[] _enabled = new bool[PiiEntities.Count];
    private readonly PhoneNumberFinder _phones;
    private readonly string[] _denyList;
    private readonly SearchValues<string>? _denyValues;
    private readonly Regex[] _patterns;

    /// <summary>Builds a detector; throws <see cref="ArgumentException"/> for an unknown entity, region or an invalid pattern.</summary>
    public PiiDetector(PiiGuardrailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Entities is null || options.Entities.Count == 0)
        {
            Array.Fill(_enabled, true);
        }
        else
        {
            foreach (var name in options.Entities)
            {
                if (!PiiEntities.TryParse(name, out var entity))
                {
                    throw new ArgumentException($"Unknown PII entity type '{name}'; expected one of {PiiEntities.AllNames}.", nameof(options));
                }

                _enabled[(int)entity] = true;
            }
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(options.DefaultRegion);
        var region = options.DefaultRegion.Trim().ToUpperInvariant();
        if (!Phones.GetSupportedRegions().Contains(region))
        {
            throw new ArgumentException($"'{options.DefaultRegion}' is not a region known to the phone number parser.", nameof(options));
        }

        _phones = new PhoneNumberFinder(region);

        var deny = new List<string>();
        if (options.DenyList is not null)
        {
            foreach (var value in options.DenyList)
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    throw new ArgumentException("A deny-list value is empty.", nameof(options));
                }

                deny.Add(value.Trim());
            }
        }

        // Longest first, so that "ACME Corp" wins over "ACME" at the same offset.
        deny.Sort(static (a, b) => b.Length.CompareTo(a.Length));
        _denyList = [.. deny];
        _denyValues = _denyList.Length == 0 ? null : SearchValues.Create(_denyList, StringComparison.OrdinalIgnoreCase);

        var patterns = new List<Regex>();
        if (options.Patterns is not null)
        {
            foreach (var pattern in options.Patterns)
            {
                ArgumentException.ThrowIfNullOrEmpty(pattern, nameof(options));
                patterns.Add(new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
            }
        }

        _patterns = [.. patterns];
    }

    /// <summary>The phone number search (for the tests that compare it with libphonenumber over the whole text).</summary>
    internal PhoneNumberFinder PhoneFinder => _phones;

    /// <summary>
    /// Finds the sensitive values in <paramref name="span"/>. <paramref name="matches"/> is cleared (if not null) and
    /// receives the detections sorted by offset and non-overlapping; it is allocated only when something is found.
    /// Nothing else is allocated unless a stretch of text may hold a phone number (libphonenumber takes a string).
    /// </summary>
    public void Detect(ReadOnlySpan<char> span, ref List<PiiMatch>? matches)
    {
        matches?.Clear();
        if (span.Length == 0)
        {
            return;
        }

        var shape = DigitShape.Of(span);
        var digits = shape.Digits;

        if (_enabled[(int)PiiEntity.EmailAddress] && span.Contains('@'))
        {
            DetectEmail(span, ref matches);
        }

        if (_enabled[(int)PiiEntity.Url] && (span.Contains("://", StringComparison.Ordinal) || span.ContainsAny(WwwPrefix)))
        {
            foreach (var m in PiiPatterns.Url().EnumerateMatches(span))
            {
                var length = TrimUrl(span.Slice(m.Index, m.Length));
                if (length > 0)
                {
                    Add(ref matches, new PiiMatch(m.Index, length, PiiEntity.Url));
                }
            }
        }

        if (_enabled[(int)PiiEntity.CreditCard] && digits >= 13 && shape.LongestGroup >= 13)
        {
            foreach (var m in PiiPatterns.CreditCard().EnumerateMatches(span))
            {
                if (PiiChecksums.IsCreditCard(span.Slice(m.Index, m.Length)))
                {
                    Add(ref matches, new PiiMatch(m.Index, m.Length, PiiEntity.CreditCard));
                }
            }
        }

        if (_enabled[(int)PiiEntity.IbanCode] && digits >= 2 && shape.IbanStart)
        {
            foreach (var m in PiiPatterns.Iban().EnumerateMatches(span))
            {
                var length = PiiChecksums.MatchIban(span.Slice(m.Index, m.Length), span, m.Index);
                if (length > 0)
                {
                    Add(ref matches, new PiiMatch(m.Index, length, PiiEntity.IbanCode));
                }
            }
        }

        if (_enabled[(int)PiiEntity.UsSsn] && digits >= 9 && shape.SsnShape)
        {
            DetectSsn(span, ref matches);
        }

        if (_enabled[(int)PiiEntity.IpAddress])
        {
            if (digits >= 4 && shape.DotBetweenDigits)
            {
                foreach (var m in PiiPatterns.IPv4().EnumerateMatches(span))
                {
                    var candidate = span.Slice(m.Index, m.Length);
                    if (OctetsInRange(candidate) && IPAddress.TryParse(candidate, out _))
                    {
                        Add(ref matches, new PiiMatch(m.Index, m.Length, PiiEntity.IpAddress));
                    }
                }
            }

            if (digits >= 1 && span.IndexOf(':') is var colon && colon >= 0 && span[(colon + 1)..].Contains(':'))
            {
                foreach (var m in PiiPatterns.IPv6().EnumerateMatches(span))
                {
                    var candidate = span.Slice(m.Index, m.Length);
                    if (candidate.IndexOfAnyInRange('0', '9') >= 0
                        && IPAddress.TryParse(candidate, out var address)
                        && address.AddressFamily == AddressFamily.InterNetworkV6)
                    {
                        Add(ref matches, new PiiMatch(m.Index, m.Length, PiiEntity.IpAddress));
                    }
                }
            }
        }

        if (_enabled[(int)PiiEntity.PhoneNumber] && digits >= 7)
        {
            _phones.Find(span, ref matches);
        }

        if (_denyValues is not null)
        {
            DetectDenyList(span, ref matches);
        }

        foreach (var pattern in _patterns)
        {
            foreach (var m in pattern.EnumerateMatches(span))
            {
                if (m.Length > 0)
                {
                    Add(ref matches, new PiiMatch(m.Index, m.Length, PiiEntity.Custom));
                }
            }
        }

        if (matches is { Count: > 1 })
        {
            Resolve(matches);
        }
    }

    /// <summary>Sorts by offset and keeps one detection per overlapping group.</summary>
    internal static void Resolve(List<PiiMatch> matches)
    {
        matches.Sort(ByStartThenLonger);
        var kept = 0;
        for (var i = 0; i < matches.Count; i++)
        {
            var candidate = matches[i];
            if (kept > 0 && matches[kept - 1].Overlaps(candidate))
            {
                if (Beats(candidate, matches[kept - 1]))
                {
                    matches[kept - 1] = candidate;
                }

                continue;
            }

            matches[kept++] = candidate;
        }

        matches.RemoveRange(kept, matches.Count - kept);
    }

    private static bool Beats(PiiMatch a, PiiMatch b)
    {
        // A checksum-confirmed number (card, IBAN, SSN) is never a phone number, whatever the lengths.
        if (PiiEntities.IsChecked(a.Entity) && b.Entity == PiiEntity.PhoneNumber)
        {
            return true;
        }

        if (PiiEntities.IsChecked(b.Entity) && a.Entity == PiiEntity.PhoneNumber)
        {
            return false;
        }

        if (a.Length != b.Length)
        {
            return a.Length > b.Length;
        }

        return PiiEntities.Specificity(a.Entity) > PiiEntities.Specificity(b.Entity);
    }

    private static void Add(ref List<PiiMatch>? matches, PiiMatch match) => (matches ??= []).Add(match);

    /// <summary>
    /// What the runs of ASCII digits in a text allow: one vectorised search per run (ordinary text has few), instead of
    /// one candidate pattern per detector over the whole text. Each flag is necessary for its pattern to match at all,
    /// so a pattern skipped on it could not have found anything:
    /// a card number is 13-19 digits in groups joined by single spaces or dashes (<see cref="LongestGroup"/>); an IBAN
    /// starts with two capital letters right before at least two digits (<see cref="IbanStart"/>); an SSN is 3, 2 and 4
    /// digits joined by the same space or dash (<see cref="SsnShape"/>); a dotted quad has a dot between two digits
    /// (<see cref="DotBetweenDigits"/>).
    /// </summary>
    internal struct DigitShape
    {
        /// <summary>ASCII digits in the text.</summary>
        public int Digits;

        /// <summary>Digits in the longest chain of digit runs joined by one space or dash each.</summary>
        public int LongestGroup;

        /// <summary>Two ASCII capital letters right before a run of at least two digits.</summary>
        public bool IbanStart;

        /// <summary>Runs of at least 3, 2 and 4 digits, each pair joined by the same single space or dash.</summary>
        public bool SsnShape;

        /// <summary>A dot between two digits.</summary>
        public bool DotBetweenDigits;

        public static DigitShape Of(ReadOnlySpan<char> span)
        {
            var shape = default(DigitShape);
            var group = 0;
            // -2: no run (never adjacent to a real offset).
            int previousStart = -2, previousEnd = -2, earlierStart = -2, earlierEnd = -2;
            var position = 0;
            while (position < span.Length)
            {
                var found = span[position..].IndexOfAnyInRange('0', '9');
                if (found < 0)
                {
                    break;
                }

                var start = position + found;
                var length = span[start..].IndexOfAnyExceptInRange('0', '9');
                var end = length < 0 ? span.Length : start + length;
                shape.Digits += end - start;

                // Joined to the previous run by exactly one character (the one at start - 1).
                var joined = previousEnd == start - 1;
                var joiner = joined ? span[start - 1] : '\0';
                group = joined && joiner is ' ' or '-' ? group + (end - start) : end - start;
                shape.LongestGroup = Math.Max(shape.LongestGroup, group);
                shape.DotBetweenDigits |= joined && joiner == '.';
                shape.IbanStart |= end - start >= 2 && start >= 2 && char.IsAsciiLetterUpper(span[start - 1]) && char.IsAsciiLetterUpper(span[start - 2]);
                shape.SsnShape |= joined && joiner is ' ' or '-' && end - start >= 4
                    && previousEnd - previousStart >= 2
                    && earlierEnd == previousStart - 1 && span[earlierEnd] == joiner && earlierEnd - earlierStart >= 3;

                (earlierStart, earlierEnd, previousStart, previousEnd) = (previousStart, previousEnd, start, end);
                position = end;
            }

            return shape;
        }
    }

    /// <summary>
    /// Runs the email pattern only around each '@': a match holds exactly one '@', its local part is a run of
    /// <see cref="EmailLocalChars"/> right before it and its domain a run of <see cref="EmailDomainChars"/> right after
    /// it, so it lies inside that window. The window starts where the local run starts (the pattern's look-behind
    /// sees the same thing there: no local character), and the scan resumes where the previous match ended, as a
    /// scan of the whole text would. Same matches as the whole-text scan, without trying every letter of the text.
    /// </summary>
    private static void DetectEmail(ReadOnlySpan<char> span, ref List<PiiMatch>? matches)
    {
        var resume = 0;
        var at = span.IndexOf('@');
        while (at >= 0)
        {
            var start = span[..at].LastIndexOfAnyExcept(EmailLocalChars) + 1;
            var domainEnd = span[(at + 1)..].IndexOfAnyExcept(EmailDomainChars);
            var end = domainEnd < 0 ? span.Length : at + 1 + domainEnd;
            var window = span[start..end];
            var startAt = Math.Max(0, resume - start);
            if (startAt < window.Length)
            {
                foreach (var m in PiiPatterns.Email().EnumerateMatches(window, startAt))
                {
                    Add(ref matches, new PiiMatch(start + m.Index, m.Length, PiiEntity.EmailAddress));
                    resume = start + m.Index + m.Length;
                }
            }

            var next = end < span.Length ? span[end..].IndexOf('@') : -1;
            at = next < 0 ? -1 : end + next;
        }
    }

    private static void DetectSsn(ReadOnlySpan<char> span, ref List<PiiMatch>? matches)
    {
        // Every match is AAA-GG-SSSS (11 characters, the look-arounds take none), so the groups are at fixed offsets.
        foreach (var m in PiiPatterns.UsSsn().EnumerateMatches(span))
        {
            var ssn = span.Slice(m.Index, m.Length);
            if (PiiChecksums.IsUsSsn(ssn[..3], ssn[4..6], ssn[7..]))
            {
                Add(ref matches, new PiiMatch(m.Index, m.Length, PiiEntity.UsSsn));
            }
        }
    }

    private void DetectDenyList(ReadOnlySpan<char> span, ref List<PiiMatch>? matches)
    {
        var position = 0;
        while (position < span.Length)
        {
            var found = span[position..].IndexOfAny(_denyValues!);
            if (found < 0)
            {
                return;
            }

            var start = position + found;
            var length = 0;
            foreach (var value in _denyList)
            {
                if (span[start..].StartsWith(value, StringComparison.OrdinalIgnoreCase) && IsWholeWord(span, start, value.Length))
                {
                    length = value.Length;
                    break;
                }
            }

            if (length > 0)
            {
                Add(ref matches, new PiiMatch(start, length, PiiEntity.DenyList));
                position = start + length;
            }
            else
            {
                position = start + 1;
            }
        }
    }

    private static bool IsWholeWord(ReadOnlySpan<char> span, int start, int length)
    {
        var end = start + length;
        if (char.IsLetterOrDigit(span[start]) && start > 0 && char.IsLetterOrDigit(span[start - 1]))
        {
            return false;
        }

        return !(char.IsLetterOrDigit(span[end - 1]) && end < span.Length && char.IsLetterOrDigit(span[end]));
    }

    private static bool OctetsInRange(ReadOnlySpan<char> candidate)
    {
        foreach (var range in candidate.Split('.'))
        {
            if (!int.TryParse(candidate[range], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var octet) || octet > 255)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Drops trailing sentence punctuation and unbalanced closing brackets; returns the URL's length, or 0 if nothing is left after the scheme.</summary>
    private static int TrimUrl(ReadOnlySpan<char> url)
    {
        var length = url.Length;
        while (length > 0)
        {
            var c = url[length - 1];
            if (c is '.' or ',' or ';' or ':' or '!' or '?' or '*')
            {
                length--;
            }
            else if ((c == ')' && !Balanced(url[..length], '(', ')'))
                || (c == ']' && !Balanced(url[..length], '[', ']'))
                || (c == '}' && !Balanced(url[..length], '{', '}')))
            {
                length--;
            }
            else
            {
                break;
            }
        }

        var prefix = url.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? 4 : url.IndexOf("://", StringComparison.Ordinal) + 3;
        return length > prefix ? length : 0;
    }

    private static bool Balanced(ReadOnlySpan<char> text, char open, char close) => text.Count(open) >= text.Count(close);
}
