using System.Net;
using Aegis.AspNetCore.Tests.Infrastructure;

namespace Aegis.AspNetCore.Tests.Metrics;

public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_expose_runs_total_and_the_duration_histogram_in_prometheus_text()
    {
        await using var gateway = await TestGateway.StartAsync(AegisAuthMode.None);
        var (run, _) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"count me"}]}""");
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);

        using var response = await gateway.Client.GetAsync("metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("# TYPE aegis_runs_total counter", text, StringComparison.Ordinal);
        Assert.Matches("""(?m)^aegis_runs_total\{[^}]*route="default"[^}]*status="completed"[^}]*\} [1-9]""", text);
        Assert.DoesNotContain("aegis_runs_total_total", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE aegis_run_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("aegis_run_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("aegis_run_duration_seconds_count{", text, StringComparison.Ordinal);
        Assert.DoesNotContain("aegis_run_duration_seconds_seconds", text, StringComparison.Ordinal);
    }
}
