using System.Net;
using Aegis.Cli.Tests.Infrastructure;

namespace Aegis.Cli.Tests.Commands;

/// <summary>The end-to-end check: a paused run survives a killed <c>aegis serve</c> and is resumed after a restart.</summary>
public sealed class ServeRestartTests : IDisposable
{
    private const string Yaml = """
        providers:
          fake:
            type: fake
            echo: true
        guardrails:
          transfers:
            pack: regex
            patterns: ['(?i)\bwire\b']
            verdict: require_approval
            reason: money transfers need a human
        pipeline:
          ingress: [transfers]
        routes:
          default:
            provider: fake
        """;

    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_paused_run_is_resumed_to_completed_after_the_server_is_killed_and_restarted()
    {
        var db = _dir.File("aegis.db");
        var config = _dir.Write("aegis.yaml", Yaml);
        var (_, requester) = await Keys.CreateAsync(_dir.Path, db, "requester");
        var (_, approver) = await Keys.CreateAsync(_dir.Path, db, "approver");
        var port = AegisCli.FreePort();
        string[] serve = ["serve", "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--db", db, "--config", config];

        string runId;
        await using (var first = await GatewayProcess.StartAsync(_dir.Path, port, serve))
        {
            var (response, body) = await first.SendAsync(HttpMethod.Post, "v1/runs",
                """{"messages":[{"role":"user","content":"please wire 100 EUR to Bob"}],"approvers":["approver"]}""", requester);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("paused", body.GetProperty("status").GetString());
            runId = body.GetProperty("run_id").GetString()!;

            // Not an approver: the requester cannot approve its own run.
            var (forbidden, error) = await first.SendAsync(HttpMethod.Post, $"v1/runs/{runId}/resume", """{"decision":"approved"}""", requester);
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Equal("AEG-AUTH-003", error.GetProperty("error").GetProperty("code").GetString());

            await first.KillAsync();
        }

        await using var second = await GatewayProcess.StartAsync(_dir.Path, port, serve);
        var (polled, run) = await second.SendAsync(HttpMethod.Get, $"v1/runs/{runId}", key: approver);
        Assert.Equal(HttpStatusCode.OK, polled.StatusCode);
        Assert.Equal("paused", run.GetProperty("status").GetString());

        var (resumed, result) = await second.SendAsync(HttpMethod.Post, $"v1/runs/{runId}/resume", """{"decision":"approved"}""", approver);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal("completed", result.GetProperty("status").GetString());
        Assert.Equal("please wire 100 EUR to Bob", result.GetProperty("response").GetString());

        var verify = await AegisCli.RunAsync(_dir.Path, "audit", "verify", "--db", db);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.StartsWith("OK", verify.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
