using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Aegis.Storage.Sqlite.Tests;

/// <summary>The engine on a SQLite file configured the way users configure it, across a process-like restart.</summary>
public sealed class EngineOnSqliteTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aegis-engine-").FullName;

    private ServiceProvider Build(string db)
    {
        var yaml = $"""
            providers:
              fake:
                type: fake
                echo: true
            guardrails:
              pii:
                pack: pii
              transfers:
                pack: regex
                patterns: ['(?i)wire']
                verdict: require_approval
                reason: needs a human
            pipeline:
              ingress: [pii, transfers]
              egress: [pii]
            persistence:
              type: sqlite
              path: {db}
            """;
        var services = new ServiceCollection();
        services.AddAegis(new ConfigurationBuilder().AddAegisYaml(yaml).Build()).UseSqlite();
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task A_paused_run_survives_a_restart_and_completes_with_its_masked_values_restored()
    {
        var db = Path.Combine(_dir, "aegis.db");
        string runId;
        await using (var first = Build(db))
        {
            var engine = first.GetRequiredService<AegisEngine>();
            Assert.IsType<SqliteRunStore>(engine.Runs);
            var paused = await engine.RunAsync(new RunRequest { Messages = [new ChatMessage(ChatRole.User, "wire 100 to jane.doe@example.com")], Approvers = ["cfo"] });
            Assert.Equal(RunStatus.Paused, paused.Status);
            runId = paused.RunId;
        }

        // The mask map (a real email address) is encrypted at rest.
        var bytes = await File.ReadAllBytesAsync(db);
        var wal = db + "-wal";
        var walBytes = File.Exists(wal) ? await File.ReadAllBytesAsync(wal) : [];
        Assert.DoesNotContain("jane.doe@example.com", System.Text.Encoding.UTF8.GetString([.. bytes, .. walBytes]), StringComparison.Ordinal);

        await using var second = Build(db);
        var restarted = second.GetRequiredService<AegisEngine>();
        Assert.Equal(RunStatus.Paused, (await restarted.GetRunAsync(runId))!.Status);
        var done = await restarted.ResumeAsync(runId, ApprovalDecision.Approved, new Principal("cfo"));
        Assert.Equal(RunStatus.Completed, done.Status);
        Assert.Equal("wire 100 to jane.doe@example.com", done.Response!.Text);
        Assert.True((await restarted.Audit.VerifyAsync()).IsValid);
        Assert.Contains((await restarted.Audit.GetRunEventsAsync(runId)), e => e.Entry.Node == "approval");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
