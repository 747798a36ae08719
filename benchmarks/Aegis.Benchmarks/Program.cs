using Aegis.Benchmarks;
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(IngressPipelineBenchmarks).Assembly).Run(args, ShortConfig.Create(args));
