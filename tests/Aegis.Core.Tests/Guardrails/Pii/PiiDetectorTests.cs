using Aegis.Guardrails.Pii;

namespace Aegis.Core.Tests.Guardrails.Pii;

public sealed class PiiDetectorTests
{
    private static readonly PiiDetector All = new(new PiiGuardrailOptions());

    private static List<(string Value, string Type)> Detect(string text, PiiDetector? detector = null)
    {
        List<PiiMatch>? matches = null;
        (detector ?? All).Detect(text, ref matches);
        var result = new List<(string, string)>();
        foreach (var m in matches ?? [])
        {
            result.Add((text.Substring(m.Start, m.Length), PiiEntities.Name(m.Entity)));
        }

        return result;
    }

    [Theory]
    [InlineData("mail me at john.doe@example.com please", "john.doe@example.com")]
    [InlineData("Contact: a_b+tag@mail.example.co.uk.", "a_b+tag@mail.example.co.uk")]
    [InlineData("<bob@x-y.io>", "bob@x-y.io")]
    [InlineData("Reply to SUPPORT@Example.ORG today", "SUPPORT@Example.ORG")]
    public void Detects_email_addresses(string text, string expected) =>
        Assert.Equal([(expected, "EMAIL_ADDRESS")], Detect(text));

    [Theory]
    [InlineData("Call +44 20 7946 0958 now", "+44 20 7946 0958")]
    [InlineData("ring +49 30 901820.", "+49 30 901820")]
    [InlineData("US office (415) 555-2671 is open", "(415) 555-2671")]
    [InlineData("or 415-555-2671 after six", "415-555-2671")]
    [InlineData("Paris: +33 1 42 68 53 00", "+33 1 42 68 53 00")]
    [InlineData("HQ +1 650 253 0000", "+1 650 253 0000")]
    public void Detects_phone_numbers(string text, string expected) =>
        Assert.Equal([(expected, "PHONE_NUMBER")], Detect(text));

    [Theory]
    [InlineData("card 4111 1111 1111 1111 exp 12/29", "4111 1111 1111 1111")]
    [InlineData("mc 5500-0000-0000-0004.", "5500-0000-0000-0004")]
    [InlineData("amex 378282246310005", "378282246310005")]
    [InlineData("visa:4012888888881881", "4012888888881881")]
    [InlineData("discover 6011 1111 1111 1117, thanks", "6011 1111 1111 1117")]
    public void Detects_credit_cards(string text, string expected) =>
        Assert.Equal([(expected, "CREDIT_CARD")], Detect(text));

    [Theory]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00 for rent", "DE89 3704 0044 0532 0130 00")]
    [InlineData("pay GB82WEST12345698765432.", "GB82WEST12345698765432")]
    [InlineData("GB82 WEST 1234 5698 7654 32 THEN stop", "GB82 WEST 1234 5698 7654 32")]
    [InlineData("FR14 2004 1010 0505 0001 3M02 606", "FR14 2004 1010 0505 0001 3M02 606")]
    [InlineData("Norway NO9386011117947", "NO9386011117947")]
    public void Detects_ibans(string text, string expected) =>
        Assert.Equal([(expected, "IBAN_CODE")], Detect(text));

    [Theory]
    [InlineData("SSN 123-45-6789.", "123-45-6789")]
    [InlineData("ssn: 078 05 1120", "078 05 1120")]
    [InlineData("(536-90-4399)", "536-90-4399")]
    public void Detects_us_ssns(string text, string expected) =>
        Assert.Equal([(expected, "US_SSN")], Detect(text));

    [Theory]
    [InlineData("server at 192.168.1.10.", "192.168.1.10")]
    [InlineData("from 8.8.8.8, then", "8.8.8.8")]
    [InlineData("ip=255.255.255.255", "255.255.255.255")]
    [InlineData("host 2001:db8::1 is up", "2001:db8::1")]
    [InlineData("v6 fe80::1ff:fe23:4567:890a.", "fe80::1ff:fe23:4567:890a")]
    [InlineData("mapped ::ffff:192.0.2.128 ok", "::ffff:192.0.2.128")]
    public void Detects_ip_addresses(string text, string expected) =>
        Assert.Equal([(expected, "IP_ADDRESS")], Detect(text));

    [Theory]
    [InlineData("see https://example.com/path?q=1.", "https://example.com/path?q=1")]
    [InlineData("(http://intranet.local/x)", "http://intranet.local/x")]
    [InlineData("go to www.example.org, then", "www.example.org")]
    [InlineData("wiki https://en.wikipedia.org/wiki/Foo_(bar) here", "https://en.wikipedia.org/wiki/Foo_(bar)")]
    public void Detects_urls(string text, string expected) =>
        Assert.Equal([(expected, "URL")], Detect(text));

    [Theory]
    [InlineData("4111 1111 1111 1112")]                 // Luhn-invalid
    [InlineData("ref 1234567812345678")]                // Luhn-invalid
    [InlineData("on 2024-01-15 at 10:30")]              // date, time
    [InlineData("due 15/01/2024 or 01.02.2024")]        // dates
    [InlineData("at 12:30:45 sharp")]                   // time
    [InlineData("version 1.2.3 and v2.15.0")]            // versions
    [InlineData("SDK 10.0.100 installed")]              // three-part version
    [InlineData("version 1.2.3.4")]                     // four-part version after the word
    [InlineData("build v1.2.3.4 shipped")]              // four-part version after v
    [InlineData("Version: 10.0.0.1")]
    [InlineData("DE89 3704 0044 0532 0130 01")]         // IBAN checksum wrong
    [InlineData("GB83WEST12345698765432")]              // IBAN checksum wrong
    [InlineData("SSN 666-12-3456")]                     // invalid area
    [InlineData("SSN 000-12-3456 or 900-12-3456")]      // invalid areas
    [InlineData("SSN 123-00-4567 or 123-45-0000")]      // invalid group, serial
    [InlineData("addr 999.1.1.1")]                      // octet out of range
    [InlineData("order #A-10023 and INV-2024-00017")]   // order / invoice ids
    [InlineData("invoice 2024-0001234, PO 20240115-0042")]
    [InlineData("short 12345 and 42")]                  // short numbers
    [InlineData("std::vector and a::b")]                // C++ scopes
    [InlineData("mac 00:1A:2B:3C:4D:5E")]
    [InlineData("3.14159265358979323")]                 // decimal
    [InlineData("not an email: user@localhost")]
    [InlineData("http:// alone")]
    public void Ignores_look_alikes(string text) => Assert.Empty(Detect(text));

    [Fact]
    public void Url_wins_over_an_email_like_part()
    {
        var text = "open https://user@example.com/inbox now";
        Assert.Equal([("https://user@example.com/inbox", "URL")], Detect(text));
    }

    [Fact]
    public void Luhn_valid_card_wins_over_an_overlapping_phone_reading()
    {
        // Even when the phone reading is longer, the checksum-confirmed card is kept.
        var matches = new List<PiiMatch>
        {
            new(0, 22, PiiEntity.PhoneNumber),
            new(3, 19, PiiEntity.CreditCard),
            new(30, 6, PiiEntity.EmailAddress),
        };
        PiiDetector.Resolve(matches);
        Assert.Equal([new PiiMatch(3, 19, PiiEntity.CreditCard), new PiiMatch(30, 6, PiiEntity.EmailAddress)], matches);

        Assert.Equal([("4000 0566 5566 5556", "CREDIT_CARD")], Detect("card 4000 0566 5566 5556"));
    }

    [Fact]
    public void Longer_detection_wins_an_overlap()
    {
        var matches = new List<PiiMatch> { new(5, 10, PiiEntity.EmailAddress), new(0, 30, PiiEntity.Url), new(40, 3, PiiEntity.Custom) };
        PiiDetector.Resolve(matches);
        Assert.Equal([new PiiMatch(0, 30, PiiEntity.Url), new PiiMatch(40, 3, PiiEntity.Custom)], matches);
    }

    [Fact]
    public void Several_entities_come_back_in_text_order()
    {
        var text = "Mail a@b.io or call +44 20 7946 0958; card 378282246310005; host 10.1.2.3.";
        Assert.Equal(
            [("a@b.io", "EMAIL_ADDRESS"), ("+44 20 7946 0958", "PHONE_NUMBER"), ("378282246310005", "CREDIT_CARD"), ("10.1.2.3", "IP_ADDRESS")],
            Detect(text));
    }

    [Fact]
    public void Entities_option_restricts_the_detectors()
    {
        var detector = new PiiDetector(new PiiGuardrailOptions { Entities = new HashSet<string> { "email_address" } });
        Assert.Equal([("a@b.io", "EMAIL_ADDRESS")], Detect("a@b.io 10.1.2.3 https://x.org", detector));
    }

    [Fact]
    public void Deny_list_matches_whole_words_case_insensitively_longest_first()
    {
        var detector = new PiiDetector(new PiiGuardrailOptions { DenyList = ["Project Falcon", "Falcon"], Entities = new HashSet<string> { "DENY_LIST" } });
        Assert.Equal(
            [("project falcon", "DENY_LIST"), ("FALCON", "DENY_LIST")],
            Detect("About project falcon: FALCON, not Falcons.", detector));
    }

    [Fact]
    public void Custom_patterns_are_detected()
    {
        var detector = new PiiDetector(new PiiGuardrailOptions { Patterns = [@"EMP-\d{6}"] });
        Assert.Equal([("EMP-004211", "CUSTOM")], Detect("employee EMP-004211 joined", detector));
    }

    [Fact]
    public void Nothing_found_allocates_no_match_list()
    {
        List<PiiMatch>? matches = null;
        All.Detect("A plain sentence with version 1.2.3 and 42 apples.", ref matches);
        Assert.Null(matches);
    }
}
