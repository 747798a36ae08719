using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Aegis.Storage.Sqlite.Tests.Audit;

/// <summary>
/// A child process appends audit events and acknowledges each on stdout; the test kills it with
/// SIGKILL mid-stream, reopens the file and finds every acknowledged event in an intact chain.
/// </summary>
public sealed class CrashTests : IDisposable
{
    private const int Rounds = 20;
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Killed_writer_loses_no_acknowledged_event_and_leaves_a_verifiable_chain()
    {
        var writer = typeof(CrashTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CrashWriterPath").Value!;
        Assert.True(File.Exists(writer), $"the crash writer was not built: {writer}");
        var random = new Random(20250314);
        long lastAcked = 0;
        var killedWithAcks = 0;

        for (var round = 0; round < Rounds; round++)
        {
            var acked = await RunAndKillAsync(writer, TimeSpan.FromMilliseconds(random.Next(20, 250)));
            if (acked.Count > 0)
            {
                killedWithAcks++;
                // Sequences continue the chain left by the previous (killed) writer.
                Assert.True(acked[0] > lastAcked, $"round {round}: first ack {acked[0]} does not follow {lastAcked}");
                lastAcked = acked[^1];
            }

            using var database = _temp.Open();
            await using var ledger = new SqliteAuditLedger(database);
            var verification = await ledger.VerifyAsync();
            Assert.True(verification.IsValid, $"round {round}: {verification.Problem}");
            Assert.True(verification.EventCount >= lastAcked, $"round {round}: {verification.EventCount} events on disk but {lastAcked} was acknowledged");
            foreach (var seq in acked)
            {
                var page = await ledger.QueryAsync(new AuditQuery { AfterSequence = seq - 1, Limit = 1 });
                Assert.Equal(seq, Assert.Single(page.Events).Sequence);
            }
        }

        Assert.True(killedWithAcks >= Rounds / 2, $"only {killedWithAcks} of {Rounds} writers acknowledged anything before being killed");
    }

    [Fact]
    public async Task Killed_run_writer_leaves_every_run_with_its_events_and_no_event_without_its_run()
    {
        var writer = typeof(CrashTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CrashWriterPath").Value!;
        var random = new Random(20261202);
        var acknowledged = 0;
        for (var round = 0; round < Rounds / 2; round++)
        {
            var acked = await RunAndKillAsync(writer, TimeSpan.FromMilliseconds(random.Next(20, 250)), "runs");
            acknowledged += acked.Count;

            using var database = _temp.Open();
            await using var ledger = new SqliteAuditLedger(database);
            var runs = new SqliteRunStore(database);
            var verification = await ledger.VerifyAsync();
            Assert.True(verification.IsValid, $"round {round}: {verification.Problem}");

            // Every event belongs to a stored run, and every stored run has both of its events, in one segment.
            var events = new List<AuditEvent>();
            for (AuditPage? page = null; page is null || page.NextAfterSequence is not null;)
            {
                page = await ledger.QueryAsync(new AuditQuery { AfterSequence = page?.NextAfterSequence ?? 0, Limit = 10000 });
                events.AddRange(page.Events);
            }

            var byRun = events.GroupBy(e => e.Entry.RunId).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var (runId, runEvents) in byRun)
            {
                Assert.NotNull(await runs.GetAsync(runId));
                Assert.Equal(["started", "completed"], runEvents.Select(e => e.Entry.Reason));
                Assert.Equal(runEvents[0].Sequence + 1, runEvents[1].Sequence);
            }

            var stored = 0;
            for (RunPage? page = null; page is null || page.NextCursor is not null;)
            {
                page = await runs.ListAsync(new RunQuery { Limit = 1000, Cursor = page?.NextCursor });
                stored += page.Runs.Count;
                Assert.All(page.Runs, r => Assert.True(byRun.ContainsKey(r.Id), $"round {round}: run {r.Id} is stored without its audit events"));
            }

            Assert.Equal(byRun.Count, stored);
            Assert.All(acked, seq => Assert.Contains(events, e => e.Sequence == seq && e.Entry.Reason == "started"));
        }

        Assert.True(acknowledged > 0, "no run writer acknowledged anything before being killed");
    }

    private async Task<List<long>> RunAndKillAsync(string writer, TimeSpan runFor, string? mode = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(writer);
        start.ArgumentList.Add(_temp.Path);
        if (mode is not null)
        {
            start.ArgumentList.Add(mode);
        }

        using var process = Process.Start(start)!;
        var acked = new List<long>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line == "ready")
                {
                    ready.TrySetResult();
                }
                else if (line.StartsWith("ack ", StringComparison.Ordinal))
                {
                    lock (acked)
                    {
                        acked.Add(long.Parse(line.AsSpan(4), CultureInfo.InvariantCulture));
                    }
                }
            }
        });
        var stderr = process.StandardError.ReadToEndAsync();

        var started = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(ready.Task.IsCompleted, $"the crash writer did not start: {(process.HasExited ? await stderr : "timeout")}");
        await Task.Delay(runFor);
        process.Kill(); // SIGKILL on Unix: no chance to flush or close anything.
        await process.WaitForExitAsync();
        await reading;
        lock (acked)
        {
            return [.. acked];
        }
    }
}
