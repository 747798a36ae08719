using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Aegis.Core.Tests.Engine;

namespace Aegis.Core.Tests.Integration;

public sealed class TelemetryTests
{
    [Fact]
    public async Task Runs_and_verdicts_are_counted_and_spans_carry_the_run()
    {
        var measurements = new ConcurrentBag<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AegisTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var dict = new Dictionary<string, object?>();
            foreach (var t in tags)
            {
                dict[t.Key] = t.Value;
            }

            measurements.Add((instrument.Name, value, dict));
        });
        meters.Start();

        var spans = new ConcurrentBag<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == AegisTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(activities);

        await using var h = new EngineHarness(o => o.Pipeline = new PipelineOptions { Ingress = ["g"] }, b => b.AddGuardrail("g", new ScriptedGuard("g", _ => Verdict.Allow)));
        var route = "default";
        var result = await h.Engine.RunAsync(EngineHarness.Ask("measure me"));

        Assert.Contains(measurements, m => m.Instrument == "aegis_runs_total" && (string?)m.Tags["route"] == route && (string?)m.Tags["status"] == "completed");
        Assert.Contains(measurements, m => m.Instrument == "aegis_guard_verdicts_total" && (string?)m.Tags["guard"] == "g" && (string?)m.Tags["verdict"] == "allow");
        var run = Assert.Single(spans, s => s.OperationName == "aegis.run" && (string?)s.GetTagItem("aegis.run_id") == result.RunId);
        Assert.Equal("completed", run.GetTagItem("aegis.status"));
        Assert.Equal("local", run.GetTagItem("aegis.principal_id"));
        Assert.Contains(spans, s => s.OperationName == "aegis.guard" && s.ParentSpanId == run.SpanId && (string?)s.GetTagItem("aegis.guard") == "g");
    }
}
