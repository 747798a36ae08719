using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Aegis.LoadTest;

/// <summary>The Markdown table (with ratio rows) printed to stdout and the same figures as JSON.</summary>
internal static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Markdown(IReadOnlyList<ScenarioResult> results, IReadOnlyList<(string Name, Func<double> Value, string Unit)> ratios)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| scenario | target | load | req/s | p50 ms | p90 ms | p99 ms | max ms | TTFT p50 ms | TTFT p99 ms | errors | gateway CPU µs/req | gateway peak RSS MB | machine idle % |");
        sb.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            sb.Append(Inv, $"| {r.Name} | {r.Target} | {r.Mode} | {r.RequestsPerSecond:F0} | {Ms(r.Latency.Percentile(50))} | {Ms(r.Latency.Percentile(90))} | {Ms(r.Latency.Percentile(99))} | {Ms(r.Latency.MaxMicros)} | ");
            sb.Append(r.FirstToken is null ? "– | – | " : $"{Ms(r.FirstToken.Percentile(50))} | {Ms(r.FirstToken.Percentile(99))} | ");
            sb.Append(Inv, $"{r.Errors} | {(r.GatewayCpu > TimeSpan.Zero ? r.GatewayCpuMicrosPerRequest.ToString("F0", Inv) : "–")} | {(r.GatewayPeakRssBytes > 0 ? (r.GatewayPeakRssBytes / 1048576.0).ToString("F0", Inv) : "–")} | {(double.IsFinite(r.MachineIdleShare) ? (r.MachineIdleShare * 100).ToString("F0", Inv) : "–")} |");
            sb.AppendLine();
        }

        sb.AppendLine();
        sb.AppendLine("| ratio / difference | value |");
        sb.AppendLine("|---|---:|");
        foreach (var (name, value, unit) in ratios)
        {
            sb.Append(Inv, $"| {name} | {Format(value(), unit)} |").AppendLine();
        }

        return sb.ToString();
    }

    public static void WriteJson(string path, LoadTestOptions options, string gateway, IReadOnlyList<ScenarioResult> results, IReadOnlyList<(string Name, Func<double> Value, string Unit)> ratios, AuditVerdict? audit, IReadOnlyList<(string Check, bool Passed, string Detail)> checks)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("generated_at", DateTimeOffset.UtcNow.ToString("O", Inv));
        w.WriteStartObject("machine");
        w.WriteNumber("processors", Environment.ProcessorCount);
        w.WriteNumber("memory_bytes", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        w.WriteString("os", System.Runtime.InteropServices.RuntimeInformation.OSDescription);
        w.WriteString("runtime", System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
        w.WriteEndObject();
        w.WriteStartObject("options");
        w.WriteNumber("duration_seconds", options.DurationSeconds);
        w.WriteNumber("warmup_seconds", options.WarmupSeconds);
        w.WriteNumber("connections", options.Connections);
        w.WriteNumber("rate", options.Rate);
        w.WriteNumber("upstream_latency_ms", options.UpstreamLatencyMs);
        w.WriteBoolean("smoke", options.Smoke);
        w.WriteString("gateway", gateway);
        w.WriteEndObject();
        w.WriteStartArray("scenarios");
        foreach (var r in results)
        {
            w.WriteStartObject();
            w.WriteString("name", r.Name);
            w.WriteString("target", r.Target);
            w.WriteString("load", r.Mode);
            w.WriteNumber("seconds", Math.Round(r.Seconds, 3));
            w.WriteNumber("ok", r.Ok);
            w.WriteNumber("errors", r.Errors);
            if (r.FirstError is not null)
            {
                w.WriteString("first_error", r.FirstError);
            }

            w.WriteNumber("requests_per_second", Math.Round(r.RequestsPerSecond, 1));
            WriteLatency(w, "latency_ms", r.Latency);
            if (r.FirstToken is not null)
            {
                WriteLatency(w, "first_token_ms", r.FirstToken);
            }

            if (r.GatewayPeakRssBytes > 0)
            {
                w.WriteNumber("gateway_peak_rss_bytes", r.GatewayPeakRssBytes);
            }

            if (r.GatewayCpu > TimeSpan.Zero)
            {
                w.WriteNumber("gateway_cpu_us_per_request", Math.Round(r.GatewayCpuMicrosPerRequest, 1));
            }

            if (double.IsFinite(r.MachineIdleShare))
            {
                w.WriteNumber("machine_idle_percent", Math.Round(r.MachineIdleShare * 100, 1));
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("ratios");
        foreach (var (name, value, _) in ratios)
        {
            var v = value();
            if (double.IsFinite(v))
            {
                w.WriteNumber(name, Math.Round(v, 4));
            }
            else
            {
                w.WriteNull(name);
            }
        }

        w.WriteEndObject();
        if (audit is not null)
        {
            w.WriteStartObject("audit");
            w.WriteNumber("expected_completed_runs", audit.Expected);
            w.WriteNumber("completed_runs", audit.CompletedRuns);
            w.WriteNumber("completed_twice", audit.DuplicateCompletions);
            w.WriteNumber("ended_otherwise", audit.OtherEndings);
            w.WriteNumber("events", audit.Events);
            w.WriteBoolean("chain_valid", audit.ChainValid);
            w.WriteBoolean("passed", audit.Passed);
            w.WriteEndObject();
        }

        w.WriteStartArray("checks");
        foreach (var (check, passed, detail) in checks)
        {
            w.WriteStartObject();
            w.WriteString("check", check);
            w.WriteBoolean("passed", passed);
            w.WriteString("detail", detail);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteLatency(Utf8JsonWriter w, string name, LatencyHistogram h)
    {
        w.WriteStartObject(name);
        w.WriteNumber("p50", h.Percentile(50) / 1000.0);
        w.WriteNumber("p90", h.Percentile(90) / 1000.0);
        w.WriteNumber("p99", h.Percentile(99) / 1000.0);
        w.WriteNumber("max", h.MaxMicros / 1000.0);
        w.WriteNumber("mean", Math.Round(h.MeanMicros / 1000.0, 3));
        w.WriteEndObject();
    }

    private static string Ms(long micros) => (micros / 1000.0).ToString("F2", Inv);

    private static string Format(double v, string unit) => !double.IsFinite(v) ? "–" : unit switch
    {
        "%" => (v * 100).ToString("F1", Inv) + " %",
        "ms" => (v >= 0 ? "+" : "") + v.ToString("F2", Inv) + " ms",
        _ => v.ToString("F3", Inv),
    };
}
