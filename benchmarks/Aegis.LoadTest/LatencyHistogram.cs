namespace Aegis.LoadTest;

/// <summary>
/// A log-linear latency histogram in the spirit of HdrHistogram: values in microseconds, 2^<see cref="SubBucketBits"/>
/// linear sub-buckets per power of two, so every recorded value is kept with a relative error below 1/64 (≈1.6 %)
/// from 1 µs to over an hour, in a fixed 4 KB-ish array. Not thread-safe: one per worker, merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 6;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int Magnitudes = 40;

    private readonly long[] _counts = new long[Magnitudes * SubBuckets];

    public long Count { get; private set; }

    public long MaxMicros { get; private set; }

    public double SumMicros { get; private set; }

    public void Record(long micros)
    {
        micros = Math.Max(0, micros);
        _counts[Index(micros)]++;
        Count++;
        SumMicros += micros;
        MaxMicros = Math.Max(MaxMicros, micros);
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        SumMicros += other.SumMicros;
        MaxMicros = Math.Max(MaxMicros, other.MaxMicros);
    }

    /// <summary>The value at <paramref name="percentile"/> (0-100), in microseconds (the upper edge of its bucket, capped at the max).</summary>
    public long Percentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(percentile / 100.0 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), MaxMicros);
            }
        }

        return MaxMicros;
    }

    public double MeanMicros => Count == 0 ? 0 : SumMicros / Count;

    private static int Index(long value)
    {
        if (value < SubBuckets)
        {
            return (int)value;
        }

        var magnitude = (int)(63 - long.LeadingZeroCount(value)) - SubBucketBits + 1; // >= 1
        var sub = (int)(value >> magnitude) - (SubBuckets / 2); // 0 .. SubBuckets/2 - 1
        var index = SubBuckets + ((magnitude - 1) * (SubBuckets / 2)) + sub;
        return Math.Min(index, (Magnitudes * SubBuckets) - 1);
    }

    private static long UpperEdge(int index)
    {
        if (index < SubBuckets)
        {
            return index;
        }

        var magnitude = ((index - SubBuckets) / (SubBuckets / 2)) + 1;
        var sub = ((index - SubBuckets) % (SubBuckets / 2)) + (SubBuckets / 2);
        return ((long)(sub + 1) << magnitude) - 1;
    }
}
