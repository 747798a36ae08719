
namespace Aegis.LoadTest;

/// <summary>What the ledger holds after the run, read from the gateway's SQLite file once the gateway has stopped.</summary>
internal sealed record AuditVerdict(long CompletedRuns, long DuplicateCompletions, long OtherEndings, long Events, bool ChainValid, string? ChainProblem, long Expected)
{
    public bool Passed => ChainValid && DuplicateCompletions == 0 && OtherEndings == 0 && CompletedRuns == Expected;

    public override string ToString() =>
        $"audit: {CompletedRuns} completed runs on route '{GatewayConfig.GovernedRoute}' for {Expected} successful governed requests"
        + $" ({DuplicateCompletions} completed twice, {OtherEndings} ended otherwise); {Events} events, chain "
        + (ChainValid ? "verifies" : "BROKEN: " + ChainProblem)
        + (Passed ? " — OK" : " — FAILED");
}

internal static class AuditCheck
{
    public static async Task<AuditVerdict> RunAsync(string dbPath, long expectedCompleted)
    {
        var services = new ServiceCollection();
        services.AddAegisSqlite(dbPath);
        await using var provider = services.BuildServiceProvider();
        return await RunAsync(provider.GetRequiredService<IAuditLedger>(), expectedCompleted).ConfigureAwait(false);
    }

    public static async Task<AuditVerdict> RunAsync(IAuditLedger ledger, long expectedCompleted)
    {
        var completions = new Dictionary<string, int>(StringComparer.Ordinal);
        long others = 0;
        long events = 0;
        long after = 0;
        while (true)
        {
            var page = await ledger.QueryAsync(new AuditQuery { AfterSequence = after, Limit = 10_000 }).ConfigureAwait(false);
            foreach (var e in page.Events)
            {
                events++;
                var entry = e.Entry;
                if (entry.Route != GatewayConfig.GovernedRoute || entry.Status is null)
                {
                    continue;
                }

                if (entry.Status == RunStatus.Completed)
                {
                    completions[entry.RunId] = completions.GetValueOrDefault(entry.RunId) + 1;
                }
                else if (entry.Status is RunStatus.Blocked or RunStatus.Error or RunStatus.Paused)
                {
                    others++;
                }
            }

            if (page.NextAfterSequence is not { } next)
            {
                break;
            }

            after = next;
        }

        long duplicates = 0;
        foreach (var count in completions.Values)
        {
            duplicates += count > 1 ? 1 : 0;
        }

        var verification = await ledger.VerifyAsync().ConfigureAwait(false);
        return new AuditVerdict(completions.Count, duplicates, others, events, verification.IsValid, verification.IsValid ? null : verification.Problem, expectedCompleted);
    }
}
