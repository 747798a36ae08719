using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Aegis.Storage.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
