using System.Text;

namespace Aegis.Pooling;

/// <summary>
/// One reusable <see cref="StringBuilder"/> per thread for building a string that is returned at once (rewriting a
/// message): the builder's buffer is kept between calls instead of being allocated (twice the text's size in bytes)
/// for every rewrite. Builders grown past <see cref="MaxCapacity"/> characters are not kept.
/// </summary>
internal static class StringBuilderCache
{
    public const int MaxCapacity = 32 * 1024;

    [ThreadStatic]
    private static StringBuilder? t_cached;

    /// <summary>An empty builder with at least <paramref name="capacity"/> characters of room.</summary>
    public static StringBuilder Acquire(int capacity)
    {
        if (capacity <= MaxCapacity && t_cached is { } cached)
        {
            t_cached = null;
            cached.Clear();
            cached.EnsureCapacity(capacity);
            return cached;
        }

        return new StringBuilder(capacity);
    }

    /// <summary>Returns the builder's text and keeps the builder for the next <see cref="Acquire"/> on this thread.</summary>
    public static string GetStringAndRelease(StringBuilder builder)
    {
        var result = builder.ToString();
        if (builder.Capacity <= MaxCapacity)
        {
            t_cached = builder;
        }

        return result;
    }
}
