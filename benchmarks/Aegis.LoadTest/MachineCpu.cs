using System.Globalization;

namespace Aegis.LoadTest;

/// <summary>
/// The whole machine's CPU time from <c>/proc/stat</c> (Linux; elsewhere no reading): how much of every core was
/// idle during a measured window. Everything in a scenario shares the machine (load generator, mock, gateway), so a
/// closed-loop scenario that leaves cores idle is bound by a wait (the durable acknowledgement), not by CPU work.
/// </summary>
internal readonly record struct MachineCpu(long Idle, long Total)
{
    /// <summary>The counters now, or <see langword="null"/> where <c>/proc/stat</c> cannot be read.</summary>
    public static MachineCpu? Read()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            return Parse(reader.ReadLine());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses the first line of <c>/proc/stat</c> (<c>cpu user nice system idle iowait irq softirq steal …</c>, in clock ticks).</summary>
    public static MachineCpu? Parse(string? line)
    {
        if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal))
        {
            return null;
        }

        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 6)
        {
            return null;
        }

        long total = 0;
        long idle = 0;

        // user, nice, system, idle, iowait, irq, softirq, steal; guest time is already counted in user.
        for (var i = 1; i < fields.Length && i <= 8; i++)
        {
            if (!long.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                return null;
            }

            total += ticks;
            if (i is 4 or 5)
            {
                idle += ticks; // idle and iowait: no runnable work on that core
            }
        }

        return new MachineCpu(idle, total);
    }

    /// <summary>The share of all cores' time that was idle between <paramref name="start"/> and <paramref name="end"/> (0 to 1), or NaN.</summary>
    public static double IdleShare(MachineCpu? start, MachineCpu? end) =>
        start is { } s && end is { } e && e.Total > s.Total ? (double)(e.Idle - s.Idle) / (e.Total - s.Total) : double.NaN;
}
