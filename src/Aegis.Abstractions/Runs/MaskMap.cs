namespace Aegis;

/// <summary>
/// The run's placeholder ↔ original map, filled by masking guardrails (for example
/// <c>&lt;EMAIL_ADDRESS_1&gt;</c> → the caller's address) and used to restore originals on egress.
/// Placeholders are stable within a run: the same original always gets the same placeholder.
/// The map holds real sensitive values: it is never sent to a model, never logged, never audited,
/// and stores must encrypt it at rest. Not thread-safe: a run is processed by one flow at a time.
/// </summary>
public sealed class MaskMap
{
    private readonly Dictionary<string, string> _byPlaceholder = new(StringComparer.Ordinal);
    private readonly Dictionary<(string EntityType, string Original), string> _byOriginal = new();
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly List<MaskMapEntry> _entries = [];

    /// <summary>Number of placeholders in the map.</summary>
    public int Count => _entries.Count;

    /// <summary>The entries in the order they were added (for checkpoints; treat as secret).</summary>
    public IReadOnlyList<MaskMapEntry> Entries => _entries;

    /// <summary>Returns the placeholder for <paramref name="original"/>, creating <c>&lt;TYPE_n&gt;</c> on first sight.</summary>
    /// <param name="entityType">Upper-case entity type, for example <c>EMAIL_ADDRESS</c>.</param>
    /// <param name="original">The sensitive value.</param>
    public string GetOrAddPlaceholder(string entityType, string original)
    {
        ArgumentException.ThrowIfNullOrEmpty(entityType);
        ArgumentException.ThrowIfNullOrEmpty(original);
        if (_byOriginal.TryGetValue((entityType, original), out var existing))
        {
            return existing;
        }

        _counters.TryGetValue(entityType, out var n);
        n++;
        _counters[entityType] = n;
        var placeholder = $"<{entityType}_{n}>";
        Add(new MaskMapEntry(placeholder, entityType, original));
        return placeholder;
    }

    /// <summary>Looks up the original behind <paramref name="placeholder"/>.</summary>
    public bool TryGetOriginal(string placeholder, out string original) =>
        _byPlaceholder.TryGetValue(placeholder, out original!);

    /// <summary>Looks up the original behind a placeholder given as a span (no allocation on a miss or hit).</summary>
    public bool TryGetOriginal(ReadOnlySpan<char> placeholder, out string original) =>
        _byPlaceholder.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(placeholder, out original!);

    /// <summary>Whether <paramref name="placeholder"/> is one of this run's placeholders.</summary>
    public bool ContainsPlaceholder(string placeholder) => _byPlaceholder.ContainsKey(placeholder);

    /// <summary>Rebuilds a map from checkpointed entries.</summary>
    public static MaskMap FromEntries(IEnumerable<MaskMapEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var map = new MaskMap();
        foreach (var entry in entries)
        {
            map.Add(entry);
            var suffix = entry.Placeholder.AsSpan(entry.EntityType.Length + 2).TrimEnd('>');
            if (int.TryParse(suffix, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                map._counters[entry.EntityType] = Math.Max(n, map._counters.GetValueOrDefault(entry.EntityType));
            }
        }

        return map;
    }

    /// <inheritdoc />
    public override string ToString() => $"MaskMap({Count} entries)";

    private void Add(MaskMapEntry entry)
    {
        _byPlaceholder[entry.Placeholder] = entry.Original;
        _byOriginal[(entry.EntityType, entry.Original)] = entry.Placeholder;
        _entries.Add(entry);
    }
}

/// <summary>One placeholder and the value it stands for. Treat as secret.</summary>
/// <param name="Placeholder">For example <c>&lt;EMAIL_ADDRESS_1&gt;</c>.</param>
/// <param name="EntityType">For example <c>EMAIL_ADDRESS</c>.</param>
/// <param name="Original">The sensitive value.</param>
public sealed record MaskMapEntry(string Placeholder, string EntityType, string Original)
{
    /// <summary>Redacts the original so that an entry printed by accident leaks nothing.</summary>
    public override string ToString() => $"{Placeholder} ({EntityType})";
}
