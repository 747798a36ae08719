using System.Globalization;
using Aegis;
using Aegis.Storage.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Aegis.Storage.Benchmarks -- --filter '*' --job short
// Fixed work, for counting CPU time without BenchmarkDotNet (perf stat -e task-clock):
//   dotnet benchmarks/Aegis.Storage.Benchmarks/bin/Release/net10.0/Aegis.Storage.Benchmarks.dll gateway-run RUNS CALLERS [writer-thread]
//   (writer-thread: every write goes through the writer's thread, CommitOnCallerWhenIdle off)
//   dotnet benchmarks/Aegis.Storage.Benchmarks/bin/Release/net10.0/Aegis.Storage.Benchmarks.dll approval-resume RUNS CALLERS one-write|two-writes
if (args is ["gateway-run", var runsText, var callersText, .. var writerMode] && writerMode is [] or ["writer-thread"])
{
    var runs = int.Parse(runsText, CultureInfo.InvariantCulture);
    var callers = int.Parse(callersText, CultureInfo.InvariantCulture);
    var writerThreadOnly = writerMode is ["writer-thread"];
    using var workload = new GatewayRunWorkload(new SqliteStoreOptions { CommitOnCallerWhenIdle = !writerThreadOnly });
    await workload.RunAsync(callers, Math.Min(runs, 256 * callers));
    await FixedWork.MeasureAsync($"{runs} runs, {callers} callers{(writerThreadOnly ? ", every write on the writer's thread" : "")}", runs, workload.DatabaseBytes, () => workload.RunAsync(callers, runs));
    return;
}

if (args is ["approval-resume", var resumesText, var resumeCallersText, var mode] && mode is "one-write" or "two-writes")
{
    var resumes = int.Parse(resumesText, CultureInfo.InvariantCulture);
    var callers = int.Parse(resumeCallersText, CultureInfo.InvariantCulture);
    using var workload = new ApprovalResumeWorkload(oneWrite: mode == "one-write");
    await workload.ResumeAsync(await workload.PauseAsync(Math.Min(resumes, 256 * callers)), callers); // warm-up
    var paused = await workload.PauseAsync(resumes);
    await FixedWork.MeasureAsync($"{resumes} resumes, {callers} callers, the end in {mode}", resumes, workload.DatabaseBytes, () => workload.ResumeAsync(paused, callers));
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
