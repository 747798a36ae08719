using System.Diagnostics;
using Aegis.Storage.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Aegis.Storage.Benchmarks -- --filter '*' --job short
// Fixed work, for counting CPU time without BenchmarkDotNet (perf stat -e task-clock):
//   dotnet benchmarks/Aegis.Storage.Benchmarks/bin/Release/net10.0/Aegis.Storage.Benchmarks.dll gateway-run RUNS CALLERS
if (args is ["gateway-run", var runsText, var callersText])
{
    var runs = int.Parse(runsText, System.Globalization.CultureInfo.InvariantCulture);
    var callers = int.Parse(callersText, System.Globalization.CultureInfo.InvariantCulture);
    using var workload = new GatewayRunWorkload();
    await workload.RunAsync(callers, Math.Min(runs, 256 * callers));
    var process = Process.GetCurrentProcess();
    var (user, system) = (process.UserProcessorTime, process.PrivilegedProcessorTime);
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    var databaseBytes = workload.DatabaseBytes();
    var watch = Stopwatch.StartNew();
    await workload.RunAsync(callers, runs);
    watch.Stop();
    var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
    var grown = (workload.DatabaseBytes() - databaseBytes) / runs;
    process.Refresh();
    var userUs = (process.UserProcessorTime - user).TotalMicroseconds / runs;
    var systemUs = (process.PrivilegedProcessorTime - system).TotalMicroseconds / runs;
    Console.WriteLine(System.FormattableString.Invariant(
        $"{runs} runs, {callers} callers: {watch.Elapsed.TotalMicroseconds / runs:F1} µs/run wall, CPU {userUs + systemUs:F1} µs/run (user {userUs:F1} + kernel {systemUs:F1}), {bytes / runs} B/run allocated, database +{grown} B/run"));
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
