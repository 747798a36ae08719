using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Aegis.Benchmarks.IngressPipelineBenchmarks).Assembly).Run(args);
