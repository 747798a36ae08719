// The Aegis load test (DESIGN section 18, issue 5): a mock OpenAI upstream, the gateway in front of it and a
// load generator, all on loopback. Prints a Markdown table with ratio rows, writes benchmarks/results/latest.json,
// then checks the audit ledger. Exit code 0 when there were no errors and the audit holds exactly one completed
// run per successful governed request with a chain that verifies (the performance bars are reported, not enforced:
// a shared machine is too noisy to fail a build on them).
using System.Globalization;
using Aegis.Benchmarking;
using Aegis.LoadTest;

if (args is [NaiveProxy.Command, ..])
{
    return await NaiveProxy.ServeAsync(args[1..]);
}

LoadTestOptions options;
try
{
    options = LoadTestOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(LoadTestOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(LoadTestOptions.Usage);
    return 0;
}

var inv = CultureInfo.InvariantCulture;
var repoRoot = FindRepoRoot();
var work = Directory.CreateTempSubdirectory("aegis-loadtest-");
var configPath = Path.Combine(work.FullName, "aegis.yaml");
var dbPath = Path.Combine(work.FullName, "aegis.db");
var duration = TimeSpan.FromSeconds(options.DurationSeconds);
var warmup = TimeSpan.FromSeconds(options.WarmupSeconds);
var results = new List<ScenarioResult>();
AuditVerdict? audit = null;
string gatewayDescription;

await using (var upstream = await MockOpenAIUpstream.StartAsync(options.UpstreamLatencyMs))
{
    await File.WriteAllTextAsync(configPath, GatewayConfig.Yaml(upstream.BaseUrl, dbPath, options.MemoryStore));
    Console.WriteLine(string.Create(inv, $"Mock upstream {upstream.BaseUrl}; work folder {work.FullName}"));

    Gateway gateway;
    if (options.InProcess)
    {
        gateway = await InProcessGateway.StartAsync(configPath, dbPath, options.MemoryStore);
    }
    else
    {
        var cli = options.CliPath ?? await ChildProcessGateway.LocateCliAsync(repoRoot);
        gateway = await ChildProcessGateway.StartAsync(cli, configPath, dbPath, options.GatewayEnvironment);
    }

    gatewayDescription = gateway.Description;
    Console.WriteLine($"Gateway: {gateway.Description} at {gateway.BaseUrl}");
    Console.WriteLine(string.Create(inv, $"Scenarios: {options.DurationSeconds} s each after {options.WarmupSeconds} s warm-up; {options.Connections} connections; open loop at {options.Rate} req/s"));
    Console.WriteLine();

    var direct = new Target("mock (direct)", upstream.BaseUrl.GetLeftPart(UriPartial.Authority) is var a ? new Uri(a + "/") : upstream.BaseUrl, null, "mock-model", Stream: false);
    var passthrough = new Target("gateway, no guards", gateway.BaseUrl, gateway.Key, GatewayConfig.PassthroughRoute, Stream: false);
    var governed = new Target("gateway, governed", gateway.BaseUrl, gateway.Key, GatewayConfig.GovernedRoute, Stream: false);
    long governedOk = 0;

    try
    {
        // Every scenario is given a measuring hook, called when its measured window starts (after its own warm-up): it
        // reads the machine's CPU counters then and, when the scenario goes through a gateway, the gateway's CPU time.
        async Task<ScenarioResult> Run(Func<Action?, Task<ScenarioResult>> scenario, Gateway? through)
        {
            var cpuAtStart = TimeSpan.Zero;
            MachineCpu? machineAtStart = null;
            through?.ResetPeakRss();
            var r = await scenario(() =>
            {
                machineAtStart = MachineCpu.Read();
                cpuAtStart = through?.CpuTime() ?? TimeSpan.Zero;
            });
            r.MachineIdleShare = MachineCpu.IdleShare(machineAtStart, MachineCpu.Read());
            if (through is not null)
            {
                r.GatewayPeakRssBytes = through.PeakRssBytes();
                r.GatewayCpu = through.CpuTime() - cpuAtStart;
            }

            results.Add(r);
            var gatewayCpu = r.GatewayCpu > TimeSpan.Zero ? string.Create(inv, $"  gateway CPU {r.GatewayCpuMicrosPerRequest:F0} µs/req") : "";
            var machineIdle = double.IsFinite(r.MachineIdleShare) ? string.Create(inv, $"  machine idle {r.MachineIdleShare * 100:F0} %") : "";
            Console.WriteLine(string.Create(inv, $"  {r.Name,-22} {r.RequestsPerSecond,8:F0} req/s  p50 {r.Latency.Percentile(50) / 1000.0:F2} ms  p99 {r.Latency.Percentile(99) / 1000.0:F2} ms  errors {r.Errors}{gatewayCpu}{machineIdle}{(r.FirstError is null ? "" : " (" + r.FirstError + ")")}"));
            return r;
        }

        var c = options.Connections;
        if (options.GatewayWarmupSeconds > 0)
        {
            // A gateway is measured as it runs in production: started long before. The runtime compiles hot code in
            // tiers (tier 0, instrumented, optimised) for the first seconds of load, and that compiler time would
            // otherwise be billed to whichever scenario comes first.
            var each = TimeSpan.FromSeconds(options.GatewayWarmupSeconds / 3);
            Console.WriteLine(string.Create(inv, $"  gateway warm-up: {options.GatewayWarmupSeconds} s of mixed load (governed, pass-through, governed streaming), not measured"));
            foreach (var target in new[] { governed, passthrough, governed with { Stream = true } })
            {
                var w = await LoadGenerator.ClosedLoopAsync("gateway warm-up", target, c, TimeSpan.Zero, each);
                if (target.Model == GatewayConfig.GovernedRoute)
                {
                    governedOk += w.Ok;
                }
            }
        }

        if (options.Runs("1"))
        {
            await Run(m => LoadGenerator.ClosedLoopAsync("1 direct", direct, c, warmup, duration, m), null);
        }

        if (options.Runs("2"))
        {
            await Run(m => LoadGenerator.ClosedLoopAsync("2 pass-through", passthrough, c, warmup, duration, m), gateway);
        }

        if (options.Runs("3"))
        {
            var g = await Run(m => LoadGenerator.ClosedLoopAsync("3 governed", governed, c, warmup, duration, m), gateway);
            governedOk += g.Ok + g.WarmupOk;
        }

        if (options.Runs("1b"))
        {
            // The baseline again, after the gateway's closed-loop scenarios: this machine has phases, and one slow
            // direct run would inflate every ratio against it. The ratios use the faster of the two (see Direct()).
            await Run(m => LoadGenerator.ClosedLoopAsync("1b direct again", direct, c, warmup, duration, m), null);
        }

        if (options.Runs("4a"))
        {
            await Run(m => LoadGenerator.ClosedLoopAsync("4a direct streaming", direct with { Stream = true }, c, warmup, duration, m), null);
        }

        if (options.Runs("4b"))
        {
            var gs = await Run(m => LoadGenerator.ClosedLoopAsync("4b governed streaming", governed with { Stream = true }, c, warmup, duration, m), gateway);
            governedOk += gs.Ok + gs.WarmupOk;
        }

        if (options.Runs("5a"))
        {
            await Run(m => LoadGenerator.OpenLoopAsync("5a direct fixed rate", direct, options.Rate, warmup, duration, m), null);
        }

        if (options.Runs("5b"))
        {
            var go = await Run(m => LoadGenerator.OpenLoopAsync("5b governed fixed rate", governed, options.Rate, warmup, duration, m), gateway);
            governedOk += go.Ok + go.WarmupOk;
        }

        if (options.Runs("5c"))
        {
            // Pass-through at the fixed rate: read against 5b, what the guards add to a request's latency.
            await Run(m => LoadGenerator.OpenLoopAsync("5c pass-through fixed rate", passthrough, options.Rate, warmup, duration, m), gateway);
        }

        if (options.Runs("6a"))
        {
            await Run(m => LoadGenerator.OpenLoopAsync("6a direct streaming fixed rate", direct with { Stream = true }, options.Rate, warmup, duration, m), null);
        }

        if (options.Runs("6b"))
        {
            var gso = await Run(m => LoadGenerator.OpenLoopAsync("6b governed streaming fixed rate", governed with { Stream = true }, options.Rate, warmup, duration, m), gateway);
            governedOk += gso.Ok + gso.WarmupOk;
        }

        // The reference the throughput bars are set against (NaiveProxy): its own child process in front of the same
        // mock, warmed up as the gateway was, then measured as scenario 2 is. The gateway is idle meanwhile. Scenarios 8a
        // and 8b are the same proxy writing a pass-through run to its own SQLite file before it answers, measured as
        // scenarios 2 and 5b are: what a durable acknowledgement alone costs a proxy on this machine.
        async Task NaiveAsync(string what, string? store, Func<Target, ChildProcessGateway, Task> measure)
        {
            await using var naive = await ChildProcessGateway.StartNaiveProxyAsync(upstream.BaseUrl, store, options.GatewayEnvironment);
            var proxied = new Target(what, naive.BaseUrl, null, "mock-model", Stream: false);
            await LoadGenerator.ClosedLoopAsync("naive proxy warm-up", proxied, c, TimeSpan.Zero, TimeSpan.FromSeconds(options.GatewayWarmupSeconds / 3));
            await measure(proxied, naive);
            await naive.StopAsync();
        }

        if (options.Runs("7") || options.Runs("7b"))
        {
            await NaiveAsync("naive proxy, no governance", null, async (proxied, naive) =>
            {
                if (options.Runs("7"))
                {
                    await Run(m => LoadGenerator.ClosedLoopAsync("7 naive proxy", proxied, c, warmup, duration, m), naive);
                }

                // What a bare proxy hop adds at the fixed rate, read against 5a (and 8b against it: what the durable write adds).
                if (options.Runs("7b"))
                {
                    await Run(m => LoadGenerator.OpenLoopAsync("7b naive proxy fixed rate", proxied, options.Rate, warmup, duration, m), naive);
                }
            });
        }

        if (options.Runs("8a") || options.Runs("8b"))
        {
            await NaiveAsync("naive proxy, durable run writes", Path.Combine(work.FullName, "naive-proxy.db"), async (proxied, naive) =>
            {
                if (options.Runs("8a"))
                {
                    await Run(m => LoadGenerator.ClosedLoopAsync("8a naive proxy + store", proxied, c, warmup, duration, m), naive);
                }

                if (options.Runs("8b"))
                {
                    await Run(m => LoadGenerator.OpenLoopAsync("8b naive proxy + store fixed rate", proxied, options.Rate, warmup, duration, m), naive);
                }
            });
        }
    }
    finally
    {
        await gateway.StopAsync();
    }

    Console.WriteLine();
    audit = options.MemoryStore
        ? await AuditCheck.RunAsync(((InProcessGateway)gateway).Ledger, governedOk)
        : await AuditCheck.RunAsync(dbPath, governedOk);
    await gateway.DisposeAsync();
}

ScenarioResult? Find(string prefix) => results.FirstOrDefault(r => r.Name.StartsWith(prefix, StringComparison.Ordinal));

// A scenario left out with --scenarios makes the ratios that need it NaN, printed as "–".
ScenarioResult R(string prefix) => Find(prefix) ?? throw new MissingScenarioException();
Func<double> Either(Func<double> value) => () =>
{
    try
    {
        return value();
    }
    catch (MissingScenarioException)
    {
        return double.NaN;
    }
};
double Ms(long micros) => micros / 1000.0;

// Latency that scenario id adds over direct (5a) at the fixed rate, at percentile p.
double AddedAtFixedRate(string id, int p) => Ms(R(id).Latency.Percentile(p) - R("5a").Latency.Percentile(p));

// The throughput baseline: the faster of scenario 1 and its repeat 1b, so that a slow phase of the machine during
// one direct run cannot make the gateway look closer to direct than it is (a fast phase can only lower the ratios).
double Direct() => Math.Max(R("1 ").RequestsPerSecond, Find("1b")?.RequestsPerSecond ?? 0);
var ratios = new List<(string Name, Func<double> Value, string Unit)>
{
    ("direct again / direct throughput", Either(() => R("1b").RequestsPerSecond / R("1 ").RequestsPerSecond), "%"),
    ("pass-through / direct throughput", Either(() => R("2 ").RequestsPerSecond / Direct()), "%"),
    ("governed / direct throughput", Either(() => R("3 ").RequestsPerSecond / Direct()), "%"),
    ("governed − direct p50 at fixed rate", Either(() => AddedAtFixedRate("5b", 50)), "ms"),
    ("governed − direct p99 at fixed rate", Either(() => AddedAtFixedRate("5b", 99)), "ms"),
    ("pass-through − direct p50 at fixed rate", Either(() => AddedAtFixedRate("5c", 50)), "ms"),
    ("pass-through − direct p99 at fixed rate", Either(() => AddedAtFixedRate("5c", 99)), "ms"),
    ("governed − direct streaming TTFT p50 at fixed rate", Either(() => Ms(R("6b").FirstToken!.Percentile(50) - R("6a").FirstToken!.Percentile(50))), "ms"),
    ("governed − direct streaming TTFT p99 at fixed rate", Either(() => Ms(R("6b").FirstToken!.Percentile(99) - R("6a").FirstToken!.Percentile(99))), "ms"),
    ("governed − direct streaming TTFT p50, closed loop", Either(() => Ms(R("4b").FirstToken!.Percentile(50) - R("4a").FirstToken!.Percentile(50))), "ms"),
    ("governed − direct streaming total p50", Either(() => Ms(R("4b").Latency.Percentile(50) - R("4a").Latency.Percentile(50))), "ms"),
    ("governed / direct streaming total p50", Either(() => R("4b").Latency.Percentile(50) / (double)Math.Max(1, R("4a").Latency.Percentile(50))), "x"),
    ("gateway peak RSS, governed (MB)", Either(() => R("3 ").GatewayPeakRssBytes / 1048576.0), "x"),
    ("naive proxy / direct throughput", Either(() => R("7 ").RequestsPerSecond / Direct()), "%"),
    ("pass-through / naive proxy throughput", Either(() => R("2 ").RequestsPerSecond / R("7 ").RequestsPerSecond), "%"),
    ("governed / naive proxy throughput", Either(() => R("3 ").RequestsPerSecond / R("7 ").RequestsPerSecond), "%"),
    ("naive proxy + store / direct throughput", Either(() => R("8a").RequestsPerSecond / Direct()), "%"),
    ("naive proxy + store / naive proxy throughput", Either(() => R("8a").RequestsPerSecond / R("7 ").RequestsPerSecond), "%"),
    ("pass-through / naive proxy + store throughput", Either(() => R("2 ").RequestsPerSecond / R("8a").RequestsPerSecond), "%"),
    ("naive proxy − direct p50 at fixed rate", Either(() => AddedAtFixedRate("7b", 50)), "ms"),
    ("naive proxy − direct p99 at fixed rate", Either(() => AddedAtFixedRate("7b", 99)), "ms"),
    ("naive proxy + store − direct p50 at fixed rate", Either(() => AddedAtFixedRate("8b", 50)), "ms"),
    ("naive proxy + store − direct p99 at fixed rate", Either(() => AddedAtFixedRate("8b", 99)), "ms"),
};

Console.WriteLine(Report.Markdown(results, ratios));

var errors = results.Sum(r => r.Errors);
var checks = new List<(string Check, bool Passed, string Detail)>
{
    ("zero errors", errors == 0, string.Create(inv, $"{errors} errors")),
    ("audit: one completed run per successful governed request, chain verifies", audit!.Passed, audit.ToString()),
};
var peakRssMb = Find("3 ")?.GatewayPeakRssBytes / 1048576.0 ?? double.NaN;
double Ratio(string name) => ratios.Single(r => r.Name == name).Value();
const string NotRun = "a scenario it needs was left out (--scenarios)";

// A bar is met, missed, or not measured: a ratio is NaN when --scenarios left out a scenario it needs, and such a bar
// is neither met nor missed.
(string Bar, bool? Met, string Value) Share(string bar, string ratio, double atLeast)
{
    var value = Ratio(ratio);
    return double.IsNaN(value)
        ? (bar, null, NotRun)
        : (bar, value >= atLeast, (value * 100).ToString("F1", inv) + " %");
}

(string Bar, bool? Met, string Value) Added(string bar, string difference, double atMost)
{
    var value = Ratio(difference);
    return double.IsNaN(value)
        ? (bar, null, NotRun)
        : (bar, value <= atMost, value.ToString("F2", inv) + " ms");
}

var bars = new List<(string Bar, bool? Met, string Value)>
{
    Share("governed throughput >= 20% of direct", "governed / direct throughput", 0.20),
    Share("pass-through throughput >= 25% of direct", "pass-through / direct throughput", 0.25),
    Added("fixed rate: governed adds <= 0.5 ms at p50", "governed − direct p50 at fixed rate", 0.5),
    Added("fixed rate: governed adds <= 2 ms at p99", "governed − direct p99 at fixed rate", 2),
    Added("streaming at fixed rate: governed TTFT adds <= 2 ms (p50)", "governed − direct streaming TTFT p50 at fixed rate", 2),
    double.IsNaN(peakRssMb)
        ? ("gateway peak RSS <= 200 MB (governed)", null, NotRun)
        : ("gateway peak RSS <= 200 MB (governed)", peakRssMb is > 0 and <= 200, peakRssMb.ToString("F0", inv) + " MB"),
};

if (Find("1 ") is { } first && Find("1b") is { } again)
{
    var baseline = Direct();
    var spread = Math.Abs(again.RequestsPerSecond - first.RequestsPerSecond) / baseline;
    Console.WriteLine(string.Create(inv, $"Direct baseline: {first.RequestsPerSecond:F0} req/s (1), {again.RequestsPerSecond:F0} req/s (1b); throughput ratios use {baseline:F0}."));
    if (spread > 0.15)
    {
        Console.WriteLine(string.Create(inv, $"  The two direct runs differ by {spread * 100:F0} %: the machine changed speed during the run, so read the ratios with care or run again."));
    }
}

Console.WriteLine("Bars (reported, not enforced; a shared machine is noisy):");
foreach (var (bar, met, value) in bars)
{
    Console.WriteLine($"  [{met switch { true => "met", false => "MISSED", null => "not run" }}] {bar}: {value}");
}

Console.WriteLine("Checks:");
foreach (var (check, passed, detail) in checks)
{
    Console.WriteLine($"  [{(passed ? "ok" : "FAILED")}] {check}: {detail}");
}

var output = options.OutputPath ?? (options.Smoke ? null : Path.Combine(repoRoot, "benchmarks", "results", "latest.json"));
if (output is not null)
{
    Report.WriteJson(output, options, gatewayDescription, results, ratios, audit, checks);
    Console.WriteLine($"Wrote {output}");
}

try
{
    work.Delete(recursive: true);
}
catch (IOException)
{
}

var failed = checks.Count(c => !c.Passed);
Console.WriteLine(failed == 0 ? "load test: all checks passed" : $"load test: {failed} check(s) FAILED");
return failed == 0 ? 0 : 1;

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Aegis.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}

/// <summary>A ratio needs a scenario that <c>--scenarios</c> left out.</summary>
internal sealed class MissingScenarioException : Exception
{
}
