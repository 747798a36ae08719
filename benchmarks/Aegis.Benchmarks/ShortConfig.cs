using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace Aegis.Benchmarks;

/// <summary>
/// The project's default job: short, because the benchmark machine has 2 shared cores. Benchmarks with an
/// <c>[IterationSetup]</c> need a fixed invocation count per iteration, so the job sets one.
/// Pass <c>--job</c> (e.g. <c>--job short</c>) to use a BenchmarkDotNet job instead.
/// </summary>
internal static class ShortConfig
{
    public static IConfig Create(string[] args)
    {
        var config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default);
        if (Array.Exists(args, a => a.StartsWith("--job", StringComparison.Ordinal) || a == "-j"))
        {
            return config;
        }

        return config.AddJob(Job.Default
            .WithStrategy(RunStrategy.Throughput)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(8)
            .WithInvocationCount(8192)
            .WithUnrollFactor(1)
            .WithId("short-fixed"));
    }
}
