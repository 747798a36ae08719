using System.Diagnostics;

namespace Aegis.Storage.Benchmarks;

/// <summary>
/// The console modes' measurement: runs a workload once and prints, per unit of work, the wall time, this process's
/// CPU time (user and kernel), the bytes allocated and how much the database file and its WAL grew.
/// </summary>
internal static class FixedWork
{
    public static async Task MeasureAsync(string label, int units, Func<long> databaseBytes, Func<Task> work)
    {
        var process = Process.GetCurrentProcess();
        var (user, system) = (process.UserProcessorTime, process.PrivilegedProcessorTime);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var bytesBefore = databaseBytes();
        var watch = Stopwatch.StartNew();
        await work().ConfigureAwait(false);
        watch.Stop();
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var grown = (databaseBytes() - bytesBefore) / units;
        process.Refresh();
        var userUs = (process.UserProcessorTime - user).TotalMicroseconds / units;
        var systemUs = (process.PrivilegedProcessorTime - system).TotalMicroseconds / units;
        Console.WriteLine(FormattableString.Invariant(
            $"{label}: {watch.Elapsed.TotalMicroseconds / units:F1} µs each wall, CPU {userUs + systemUs:F1} µs each (user {userUs:F1} + kernel {systemUs:F1}), {bytes / units} B each allocated, database +{grown} B each"));
    }
}
