using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Aegis;

/// <summary>
/// The <c>Aegis</c> meter and activity source (DESIGN section 17). OpenTelemetry reads them by name:
/// <c>.AddMeter("Aegis")</c> and <c>.AddSource("Aegis")</c>. Tags carry the route, status, stage,
/// guard and verdict, and the principal id on spans; never a secret or a message.
/// </summary>
public static class AegisTelemetry
{
    /// <summary>The name of both the meter and the activity source.</summary>
    public const string Name = "Aegis";

    /// <summary>The activity source: a span per run (<c>aegis.run</c>) with a child span per guard (<c>aegis.guard</c>).</summary>
    public static ActivitySource ActivitySource { get; } = new(Name, typeof(AegisTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>The meter.</summary>
    public static Meter Meter { get; } = new(Name, typeof(AegisTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary><c>aegis_runs_total{route,status}</c>: runs that reached a status.</summary>
    public static Counter<long> RunsTotal { get; } = Meter.CreateCounter<long>("aegis_runs_total", "{run}", "Runs by route and the status they reached");

    /// <summary><c>aegis_run_duration_seconds{route,status}</c>: run duration histogram.</summary>
    public static Histogram<double> RunDuration { get; } = Meter.CreateHistogram<double>("aegis_run_duration_seconds", "s", "Duration of a run's synchronous part",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    /// <summary><c>aegis_guard_verdicts_total{route,stage,guard,verdict}</c>: every verdict.</summary>
    public static Counter<long> GuardVerdicts { get; } = Meter.CreateCounter<long>("aegis_guard_verdicts_total", "{verdict}", "Guardrail verdicts by route, stage, guard and verdict");

    /// <summary><c>aegis_upstream_duration_seconds{provider,outcome}</c>: provider call latency.</summary>
    public static Histogram<double> UpstreamDuration { get; } = Meter.CreateHistogram<double>("aegis_upstream_duration_seconds", "s", "Latency of provider calls",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] });

    internal static void RecordRun(string route, RunStatus status, double seconds)
    {
        var tags = new TagList { { "route", route }, { "status", status.ToWire() } };
        RunsTotal.Add(1, tags);
        RunDuration.Record(seconds, tags);
    }

    internal static void RecordVerdict(string route, GuardStage stage, string guard, VerdictKind verdict)
    {
        if (GuardVerdicts.Enabled)
        {
            GuardVerdicts.Add(1, new TagList { { "route", route }, { "stage", stage.ToWire() }, { "guard", guard }, { "verdict", verdict.ToWire() } });
        }
    }

    internal static void RecordUpstream(string provider, string outcome, double seconds)
    {
        if (UpstreamDuration.Enabled)
        {
            UpstreamDuration.Record(seconds, new TagList { { "provider", provider }, { "outcome", outcome } });
        }
    }
}
