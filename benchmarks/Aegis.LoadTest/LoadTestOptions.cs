using System.Globalization;

namespace Aegis.LoadTest;

/// <summary>Command-line options of the load test.</summary>
internal sealed class LoadTestOptions
{
    public double DurationSeconds { get; private set; } = 20;

    public double WarmupSeconds { get; private set; } = 3;

    /// <summary>
    /// Seconds of mixed load (both routes, streamed and not) sent through the gateway once, right after it starts and
    /// before any measured scenario, so the figures are the steady state of a running gateway rather than its JIT warm-up.
    /// </summary>
    public double GatewayWarmupSeconds { get; private set; } = 15;

    public int Connections { get; private set; } = 32;

    public int Rate { get; private set; } = 1000;

    public int UpstreamLatencyMs { get; private set; }

    public bool Smoke { get; private set; }

    /// <summary>Host the gateway in this process (development, before/without the CLI); RSS is then this process's.</summary>
    public bool InProcess { get; private set; }

    /// <summary>With <see cref="InProcess"/>: keep runs and audit in memory instead of SQLite (isolates the storage cost).</summary>
    public bool MemoryStore { get; private set; }

    /// <summary>Path of the CLI dll (given as the dll or its folder); found under src/Aegis.Cli/bin/Release (and built) when not given.</summary>
    public string? CliPath { get; private set; }

    public string? OutputPath { get; private set; }

    /// <summary>The scenarios to run (<c>1,1b,2,3,4a,4b,5a,5b,5c,6a,6b,7,7b,8a,8b</c>; a number alone takes all of its lettered scenarios, and <c>1</c> and <c>7</c> also <c>1b</c> and <c>7b</c>); all when null.</summary>
    public IReadOnlySet<string>? Scenarios { get; private set; }

    /// <summary>Environment variables set for the gateway children only, <c>aegis serve</c> and the naive proxy (runtime knobs, e.g. <c>DOTNET_TieredPGO=0</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> GatewayEnvironment => _gatewayEnvironment;

    private readonly List<KeyValuePair<string, string>> _gatewayEnvironment = [];

    /// <summary>Whether scenario <paramref name="id"/> (e.g. <c>3</c> or <c>4b</c>) runs.</summary>
    public bool Runs(string id) => Scenarios is null || Scenarios.Contains(id) || Scenarios.Contains(id.TrimEnd('a', 'b', 'c'));

    public bool Help { get; private set; }

    public static LoadTestOptions Parse(string[] args)
    {
        var o = new LoadTestOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
            switch (a)
            {
                case "--duration": o.DurationSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--warmup": o.WarmupSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--gateway-warmup": o.GatewayWarmupSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--connections": o.Connections = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rate": o.Rate = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--upstream-latency-ms": o.UpstreamLatencyMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--smoke": o.Smoke = true; break;
                case "--in-process": o.InProcess = true; break;
                case "--memory-store": o.MemoryStore = true; break;
                case "--cli": o.CliPath = ChildProcessGateway.ResolveCli(Next()); break;
                case "--out": o.OutputPath = Next(); break;
                case "--gateway-env":
                    var pair = Next();
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        throw new ArgumentException("--gateway-env needs NAME=VALUE");
                    }

                    o._gatewayEnvironment.Add(new(pair[..eq], pair[(eq + 1)..]));
                    break;
                case "--scenarios": o.Scenarios = new HashSet<string>(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase); break;
                case "-h" or "--help": o.Help = true; break;
                default: throw new ArgumentException($"unknown option '{a}' (see --help)");
            }
        }

        if (o.Smoke)
        {
            o.DurationSeconds = 2;
            o.WarmupSeconds = 0.5;
            o.GatewayWarmupSeconds = Math.Min(o.GatewayWarmupSeconds, 1.5);
            o.Connections = Math.Min(o.Connections, 4);
            o.Rate = Math.Min(o.Rate, 100);
        }

        if (o.MemoryStore && !o.InProcess)
        {
            throw new ArgumentException("--memory-store needs --in-process");
        }

        if (o.DurationSeconds <= 0 || o.Connections < 1 || o.Rate < 1 || o.UpstreamLatencyMs < 0 || o.WarmupSeconds < 0 || o.GatewayWarmupSeconds < 0)
        {
            throw new ArgumentException("--duration, --connections and --rate must be positive; --warmup, --gateway-warmup and --upstream-latency-ms not negative");
        }

        return o;
    }

    public const string Usage = """
        Aegis load test: a mock OpenAI upstream, `aegis serve` in front of it, and a load generator, on loopback.

        dotnet run -c Release --project benchmarks/Aegis.LoadTest -- [options]
          --duration S              seconds per scenario (default 20)
          --warmup S                warm-up seconds before each measured scenario (default 3)
          --gateway-warmup S        mixed load through the gateway once after it starts, before any scenario (default 15)
          --connections N           concurrent connections of the closed-loop scenarios (default 32)
          --rate R                  requests/s of the fixed-rate scenarios (default 1000)
          --upstream-latency-ms MS  latency the mock upstream adds before answering (default 0)
          --smoke                   2 s per scenario, few connections, low rate; exit 0 when every check passes
          --in-process              host the gateway in this process instead of `aegis serve` (development only)
          --memory-store            with --in-process: in-memory runs and audit instead of SQLite (diagnostics)
          --cli PATH                aegis.dll, or the folder holding it, to run (default: src/Aegis.Cli/bin/Release/net10.0, built if missing)
          --gateway-env NAME=VALUE  set an environment variable for the gateway children only: aegis serve and the naive proxy (repeatable)
          --scenarios LIST          run only these scenarios, e.g. 3 or 1,3,5 or 1,2,7,8 (development; ratios need both sides)
          --out PATH                JSON results (default benchmarks/results/latest.json; smoke: not written unless given)
        """;
}
