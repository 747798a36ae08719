namespace Aegis.Pooling;

/// <summary>
/// One reusable scratch <see cref="List{T}"/> per thread and element type, for work that finishes before it returns
/// (a guardrail's match list): <see cref="Acquire"/> takes it (or <see langword="null"/> when there is none, or it is
/// in use further up the stack), <see cref="Release"/> clears it and puts it back. Lists grown past
/// <see cref="MaxCapacity"/> are not kept.
/// </summary>
internal static class ListCache<T>
{
    public const int MaxCapacity = 1024;

    [ThreadStatic]
    private static List<T>? t_cached;

    /// <summary>The thread's cached list, emptied, or <see langword="null"/>.</summary>
    public static List<T>? Acquire()
    {
        var list = t_cached;
        t_cached = null;
        return list;
    }

    /// <summary>Keeps <paramref name="list"/> (cleared) for the next <see cref="Acquire"/> on this thread.</summary>
    public static void Release(List<T>? list)
    {
        if (list is not null && list.Capacity <= MaxCapacity)
        {
            list.Clear();
            t_cached = list;
        }
    }
}
