namespace Aegis.Benchmarking;

/// <summary>
/// Texts shared by the benchmark projects (linked into each from <c>benchmarks/Shared</c>), so that the load test, the
/// in-process benchmarks and the storage benchmarks measure the same prompt and the same answer.
/// </summary>
internal static class BenchmarkTexts
{
    /// <summary>
    /// A model's answer to a summary request: ordinary prose, about 700 characters, no PII. The mock upstream answers
    /// it (<c>MockOpenAIUpstream</c>); the benchmarks that need no HTTP use it as the provider's answer.
    /// </summary>
    public const string Answer =
        "Here is a short summary of the supplier report. Deliveries slipped by an average of four days this quarter, " +
        "mostly on the two routes that were re-tendered in the spring; the open invoices total eleven items, three of " +
        "them older than sixty days. The meeting agreed to renegotiate the delivery windows, to escalate the overdue " +
        "invoices to the account managers and to review the carrier contracts before the next quarter. The three most " +
        "important follow-ups are: first, the logistics lead confirms the new delivery windows with both carriers; " +
        "second, the finance lead chases the three overdue invoices and reports back; third, procurement prepares the " +
        "contract review with a shortlist of alternative carriers. Let me know if you want this as a table.";

    /// <summary>
    /// The load test's user message: 900 characters with <see cref="Email"/> and <see cref="Phone"/>, so that the whole
    /// chat-completion request is about 1 KB.
    /// </summary>
    public static readonly string RequestPrompt = Prompt(900);

    /// <summary>
    /// <see cref="RequestPrompt"/> as the gateway stores it once <c>pii</c> has masked it (898 characters). The storage
    /// benchmarks write this, so that their run rows are the gateway's to the byte: at about 1.95 KB two share a 4 KB
    /// page, and a row only ~100 bytes longer would take a page of its own.
    /// </summary>
    public static readonly string MaskedPrompt = RequestPrompt.Replace(Email, "<EMAIL_ADDRESS_1>", StringComparison.Ordinal).Replace(Phone, "<PHONE_NUMBER_1>", StringComparison.Ordinal);

    /// <summary>The e-mail address every prompt carries.</summary>
    public const string Email = "jane.doe@example.com";

    /// <summary>The phone number every prompt carries.</summary>
    public const string Phone = "+1 415 555 0132";

    private const string Prose =
        "We are reviewing the quarterly supplier report and need a short summary of the delivery delays, " +
        "the open invoices and the actions agreed in the last meeting. Keep the tone neutral and list the " +
        "three most important follow-ups with an owner each. ";

    /// <summary>
    /// A user's request of exactly <paramref name="length"/> characters: a sentence with <see cref="Email"/> and
    /// <see cref="Phone"/>, then prose.
    /// </summary>
    public static string Prompt(int length)
    {
        var sb = new System.Text.StringBuilder(length + Prose.Length);
        sb.Append("Contact me at ").Append(Email).Append(" or ").Append(Phone).Append(" about this. ");
        while (sb.Length < length)
        {
            sb.Append(Prose);
        }

        sb.Length = length;
        return sb.ToString();
    }
}
