using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Aegis.Cli.Hosting;
using Aegis.Cli.Output;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis audit verify</c>: walks the hash chain of the audit ledger.</summary>
internal static class AuditCommands
{
    /// <summary>The <c>audit</c> command and its subcommands.</summary>
    public static Command Create(CliConsole console) => new("audit", "Inspect the audit ledger")
    {
        Verify(console),
    };

    private static Command Verify(CliConsole console)
    {
        var config = CommonOptions.Config();
        var database = CommonOptions.Database();
        var json = CommonOptions.Json();
        var command = new Command("verify", "Check that no audit event was edited, deleted or reordered (exit 1 if the chain is broken)") { config, database, json };
        command.SetAction((ParseResult result, CancellationToken cancellationToken) => CommandRunner.RunAsync(console, async () =>
        {
            using var db = CliDatabase.Open(result.GetValue(config), result.GetValue(database), mustExist: true);
            var ledger = new SqliteAuditLedger(db);
            AuditVerification verification;
            try
            {
                verification = await ledger.VerifyAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await ledger.DisposeAsync().ConfigureAwait(false);
            }

            if (result.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(
                    new AuditVerifyJson(verification.IsValid, verification.EventCount, verification.FirstBrokenSequence, verification.Problem),
                    CliJsonContext.Default.AuditVerifyJson));
            }
            else if (verification.IsValid)
            {
                console.Out.WriteLine($"OK: {verification.EventCount.ToString(CultureInfo.InvariantCulture)} audit events in {db.Path}, hash chain intact");
            }
            else
            {
                var sequence = verification.FirstBrokenSequence?.ToString(CultureInfo.InvariantCulture) ?? "?";
                console.Out.WriteLine($"BROKEN: the hash chain in {db.Path} breaks at sequence {sequence}: {verification.Problem}");
            }

            return verification.IsValid ? ExitCodes.Ok : ExitCodes.Failure;
        }));
        return command;
    }
}
