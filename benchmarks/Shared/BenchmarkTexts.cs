namespace Aegis.Benchmarking;

/// <summary>
/// Texts shared by the benchmark projects (linked into each from <c>benchmarks/Shared</c>), so that the load test, the
/// in-process benchmarks and the storage benchmarks measure the same answer.
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
}
