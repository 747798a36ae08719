using System.Globalization;
using System.Text.Json;
using Aegis.Cli.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Aegis.Cli.Tests.Commands;

/// <summary><c>aegis audit verify</c> and <c>aegis config validate</c>.</summary>
public sealed class AuditAndConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Audit_verify_is_OK_after_some_runs_and_reports_the_first_broken_sequence_after_an_edit()
    {
        var db = _dir.File("aegis.db");
        var port = AegisCli.FreePort();
        await using (var dev = await GatewayProcess.StartAsync(_dir.Path, port, "dev", "--port", port.ToString(CultureInfo.InvariantCulture), "--db", db))
        {
            for (var i = 0; i < 3; i++)
            {
                var (response, _) = await dev.SendAsync(HttpMethod.Post, "v1/runs", $$"""{"messages":[{"role":"user","content":"run {{i}}"}]}""");
                Assert.True(response.IsSuccessStatusCode);
            }

            // Readers may verify while the gateway runs.
            var live = await AegisCli.RunAsync(_dir.Path, "audit", "verify", "--db", db);
            Assert.True(live.ExitCode == 0, live.ToString());
            await dev.KillAsync();
        }

        var verified = await AegisCli.RunAsync(_dir.Path, "audit", "verify", "--db", db, "--json");
        Assert.True(verified.ExitCode == 0, verified.ToString());
        using (var json = JsonDocument.Parse(verified.Output))
        {
            Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
            Assert.True(json.RootElement.GetProperty("event_count").GetInt64() >= 3);
        }

        using (var connection = new SqliteConnection($"Data Source={db}"))
        {
            connection.Open();
            using var edit = connection.CreateCommand();
            edit.CommandText = "DROP TRIGGER audit_segments_no_update; UPDATE audit_segments SET events = json_set(events, '$[' || (2 - first_seq) || '][5]', 'edited') WHERE 2 BETWEEN first_seq AND last_seq;";
            edit.ExecuteNonQuery();
        }

        var broken = await AegisCli.RunAsync(_dir.Path, "audit", "verify", "--db", db);
        Assert.True(broken.ExitCode == 1, broken.ToString());
        Assert.Contains("BROKEN", broken.Output, StringComparison.Ordinal);
        Assert.Contains("sequence 2", broken.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_validate_prints_every_problem_with_its_code_and_key()
    {
        _dir.Write("aegis.yaml", """
            providers:
              fake:
                type: nope
            guardrails:
              r:
                pack: regex
                patterns: ['x']
                verdict: maybe
            pipeline:
              ingress: [r, ghost]
            routes:
              default:
                provider: missing
            """);

        var result = await AegisCli.RunAsync(_dir.Path, "config", "validate");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error AEG-CFG-022", result.Error, StringComparison.Ordinal);
        Assert.Contains("providers.fake.type", result.Error, StringComparison.Ordinal);
        Assert.Contains("error AEG-CFG-011", result.Error, StringComparison.Ordinal);
        Assert.Contains("pipeline.ingress[1]", result.Error, StringComparison.Ordinal);
        Assert.Contains("error AEG-CFG-010", result.Error, StringComparison.Ordinal);
        Assert.Contains("routes.default.provider", result.Error, StringComparison.Ordinal);
        Assert.Contains("error AEG-CFG-004", result.Error, StringComparison.Ordinal);
        Assert.Contains("guardrails.r.verdict", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_validate_accepts_a_good_file_and_sees_environment_variables()
    {
        var config = _dir.Write("gateway.yaml", "providers:\n  fake:\n    type: fake\n    echo: true\n");

        var ok = await AegisCli.RunAsync(_dir.Path, "config", "validate", "--config", config);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.StartsWith("OK", ok.Output, StringComparison.Ordinal);

        using var process = System.Diagnostics.Process.Start(AegisCli.StartInfo(_dir.Path, ["config", "validate", "--config", config], new Dictionary<string, string> { ["AEGIS__AUTH__MODE"] = "sometimes" }))!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("error AEG-CFG-004", error, StringComparison.Ordinal);
        Assert.Contains("auth.mode", error, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
