using System.Globalization;
using Aegis;
using Microsoft.Extensions.AI;

// Usage: dotnet Aegis.Storage.Sqlite.CrashWriter.dll <database path> [runs]
// Appends audit events one at a time through SqliteAuditLedger and prints "ack <seq>" on stdout
// after each append is acknowledged (committed), until the process is killed.
// With "runs": four concurrent callers each store new runs with two audit events through
// SqliteRunStore.CreateWithAuditAsync and print "ack <seq>" (the run's first event) once acknowledged.
if (args.Length is not (1 or 2) || (args.Length == 2 && args[1] != "runs"))
{
    Console.Error.WriteLine("usage: Aegis.Storage.Sqlite.CrashWriter <database path> [runs]");
    return 2;
}

using var database = SqliteDatabase.Open(args[0]);
await using var ledger = new SqliteAuditLedger(database);
var stdout = Console.Out;
var prefix = "crash-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
stdout.WriteLine("ready");
stdout.Flush();
if (args.Length == 2)
{
    var runs = new SqliteRunStore(database);
    await Task.WhenAll(Enumerable.Range(0, 4).Select(caller => Task.Run(async () =>
    {
        for (var i = 0; ; i++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{caller}-{i}");
            var now = DateTimeOffset.UtcNow;
            var run = new RunRecord
            {
                Id = id,
                Route = "crash",
                PrincipalId = "crash-writer",
                Status = RunStatus.Completed,
                Messages = [new ChatMessage(ChatRole.User, "hello")],
                Response = "hi",
                CreatedAt = now,
                UpdatedAt = now,
            };
            var events = await runs.CreateWithAuditAsync(run, [Entry(id, "started"), Entry(id, "completed")]);
            lock (stdout)
            {
                stdout.WriteLine("ack " + events[0].Sequence.ToString(CultureInfo.InvariantCulture));
                stdout.Flush();
            }
        }
    })));
}

for (var i = 0; ; i++)
{
    var appended = await ledger.AppendAsync([Entry(prefix, "event " + i.ToString(CultureInfo.InvariantCulture))]);
    stdout.WriteLine("ack " + appended[0].Sequence.ToString(CultureInfo.InvariantCulture));
    stdout.Flush();
}

static AuditEntry Entry(string runId, string reason) => new()
{
    Timestamp = DateTimeOffset.UtcNow,
    RunId = runId,
    PrincipalId = "crash-writer",
    Route = "crash",
    Stage = GuardStage.Ingress,
    Node = "writer",
    Verdict = VerdictKind.Allow,
    Reason = reason,
};
