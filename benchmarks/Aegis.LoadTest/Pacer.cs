using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Aegis.LoadTest;

/// <summary>
/// Waits until a <see cref="Stopwatch"/> instant with microsecond precision and without burning a core: on Linux an
/// absolute <c>clock_nanosleep</c> on <c>CLOCK_MONOTONIC</c> (the clock behind <see cref="Stopwatch"/> there) with the
/// thread's timer slack cut to 1 µs; elsewhere a sleep for the bulk of the wait and a short spin for the rest.
/// The open-loop generator paces its sends with it, so a fixed rate does not cost the machine a spinning core that the
/// measured processes then lack.
/// </summary>
internal static partial class Pacer
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private const int SetTimerSlack = 29;
    private static readonly bool Native = OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000;

    /// <summary>Prepares the calling thread (timer slack); call once on the pacing thread.</summary>
    public static void PrepareThread()
    {
        if (Native)
        {
            _ = Prctl(SetTimerSlack, 1000, 0, 0, 0);
        }
    }

    /// <summary>Returns at <paramref name="due"/> (a <see cref="Stopwatch.GetTimestamp"/> value) or just after.</summary>
    public static void SleepUntil(long due)
    {
        if (Native)
        {
            var at = new TimeSpec { Seconds = due / 1_000_000_000, Nanoseconds = due % 1_000_000_000 };
            while (Stopwatch.GetTimestamp() < due && ClockNanosleep(ClockMonotonic, TimerAbsoluteTime, in at, IntPtr.Zero) != 0)
            {
                // EINTR: sleep again until the instant.
            }

            return;
        }

        var spin = new SpinWait();
        while (true)
        {
            var left = (due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
            if (left <= 0)
            {
                return;
            }

            if (left >= 2)
            {
                Thread.Sleep(1);
            }
            else
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in TimeSpec request, IntPtr remaining);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
}
