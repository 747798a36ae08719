using System.Globalization;
using Aegis;

// Usage: dotnet Aegis.Storage.Sqlite.CrashWriter.dll <database path>
// Appends audit events one at a time through SqliteAuditLedger and prints "ack <seq>" on stdout
// after each append is acknowledged (committed), until the process is killed.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Aegis.Storage.Sqlite.CrashWriter <database path>");
    return 2;
}

using var database = SqliteDatabase.Open(args[0]);
await using var ledger = new SqliteAuditLedger(database);
var stdout = Console.Out;
stdout.WriteLine("ready");
stdout.Flush();
for (var i = 0; ; i++)
{
    var appended = await ledger.AppendAsync(
    [
        new AuditEntry
        {
            Timestamp = DateTimeOffset.UtcNow,
            RunId = "crash-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            PrincipalId = "crash-writer",
            Route = "crash",
            Stage = GuardStage.Ingress,
            Node = "writer",
            Verdict = VerdictKind.Allow,
            Reason = "event " + i.ToString(CultureInfo.InvariantCulture),
        },
    ]);
    stdout.WriteLine("ack " + appended[0].Sequence.ToString(CultureInfo.InvariantCulture));
    stdout.Flush();
}
