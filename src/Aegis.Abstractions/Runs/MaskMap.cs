namespace Aegis;

/// <summary>
/// The run's placeholder ↔ original map, filled by masking guardrails (for example
/// <c>&lt;EMAIL_ADDRESS_1&gt;</c> → the caller's address) and used to restore originals on egress.
/// Placeholders are stable within a run: the same original always gets the same placeholder.
/// A value the model produced and a guardrail masked on its way out is <em>withheld</em>
/// (<see cref="GetOrAddWithheldPlaceholder(string, string)"/>): it gets a placeholder of the same numbering, but its placeholder is
/// never restored (<see cref="TryGetOriginal(ReadOnlySpan{char}, out string)"/> does not find it), so neither a later
/// answer nor the placeholder coming back from the model can reveal it.
/// The map holds real sensitive values: it is never sent to a model, never logged, never audited,
/// and stores must encrypt it at rest. Not thread-safe: a run is processed by one flow at a time.
/// </summary>
public sealed class MaskMap
{
    /// <summary>Up to this many entries, lookups scan the list; beyond, they go through dictionaries built once.</summary>
    private const int IndexThreshold = 8;

    private List<MaskMapEntry>? _entries;
    private List<(string EntityType, int Last)>? _counters;
    private Dictionary<string, MaskMapEntry>? _byPlaceholder;
    private Dictionary<(string EntityType, string Original), string>? _byOriginal;

    /// <summary>Number of placeholders in the map.</summary>
    public int Count => _entries?.Count ?? 0;

    /// <summary>The entries in the order they were added (for checkpoints; treat as secret).</summary>
    public IReadOnlyList<MaskMapEntry> Entries => (IReadOnlyList<MaskMapEntry>?)_entries ?? [];

    /// <summary>
    /// Returns the placeholder for <paramref name="original"/>, a value the caller supplied, creating <c>&lt;TYPE_n&gt;</c>
    /// on first sight; its placeholder is restored on egress. A value the map already withholds keeps its (withheld)
    /// placeholder.
    /// </summary>
    /// <param name="entityType">Upper-case entity type, for example <c>EMAIL_ADDRESS</c>.</param>
    /// <param name="original">The sensitive value.</param>
    public string GetOrAddPlaceholder(string entityType, string original) => GetOrAdd(entityType, original, withheld: false);

    /// <summary>
    /// <see cref="GetOrAddPlaceholder(string, string)"/> for a value given as a span: a value the map already holds (the
    /// same address in every turn of a conversation) is found without allocating its string.
    /// </summary>
    public string GetOrAddPlaceholder(string entityType, ReadOnlySpan<char> original) => GetOrAdd(entityType, original, withheld: false);

    /// <summary>
    /// Returns the placeholder for <paramref name="value"/>, a value the model produced that must not reach the caller,
    /// creating a withheld <c>&lt;TYPE_n&gt;</c> on first sight (numbered with the caller's values of that type). A
    /// withheld placeholder is never restored. A value the caller supplied keeps its own placeholder.
    /// </summary>
    /// <param name="entityType">Upper-case entity type, for example <c>EMAIL_ADDRESS</c>.</param>
    /// <param name="value">The sensitive value.</param>
    public string GetOrAddWithheldPlaceholder(string entityType, string value) => GetOrAdd(entityType, value, withheld: true);

    /// <summary><see cref="GetOrAddWithheldPlaceholder(string, string)"/> for a value given as a span (found without allocating it).</summary>
    public string GetOrAddWithheldPlaceholder(string entityType, ReadOnlySpan<char> value) => GetOrAdd(entityType, value, withheld: true);

    /// <summary>Looks up the original behind <paramref name="placeholder"/>, a placeholder of a value the caller supplied.</summary>
    public bool TryGetOriginal(string placeholder, out string original) =>
        TryGetOriginal(placeholder.AsSpan(), out original);

    /// <summary>
    /// Looks up the original behind a placeholder given as a span (no allocation on a miss or hit): only a placeholder
    /// of a value the caller supplied is found, never a withheld one.
    /// </summary>
    public bool TryGetOriginal(ReadOnlySpan<char> placeholder, out string original)
    {
        if (TryGetEntry(placeholder, out var entry) && !entry.Withheld)
        {
            original = entry.Original;
            return true;
        }

        original = null!;
        return false;
    }

    /// <summary>Whether <paramref name="placeholder"/> is one of this run's placeholders, withheld ones included.</summary>
    public bool ContainsPlaceholder(string placeholder) => ContainsPlaceholder(placeholder.AsSpan());

    /// <summary>Whether a placeholder given as a span is one of this run's placeholders, withheld ones included.</summary>
    public bool ContainsPlaceholder(ReadOnlySpan<char> placeholder) => TryGetEntry(placeholder, out _);

    /// <summary>Whether <paramref name="value"/> is a value the caller supplied (the original of a restorable placeholder).</summary>
    public bool IsCallerValue(ReadOnlySpan<char> value)
    {
        if (_entries is { } entries)
        {
            foreach (var entry in entries)
            {
                if (!entry.Withheld && value.SequenceEqual(entry.Original))
                {
                    return true;
                }
            }
        }

        return false;
    }

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
                map.RaiseNumber(entry.EntityType, n);
            }
        }

        return map;
    }

    /// <inheritdoc />
    public override string ToString() => $"MaskMap({Count} entries)";

    private string GetOrAdd(string entityType, ReadOnlySpan<char> original, bool withheld)
    {
        ArgumentException.ThrowIfNullOrEmpty(entityType);
        if (original.IsEmpty)
        {
            throw new ArgumentException("The value is empty.", nameof(original));
        }

        if (_byOriginal is null)
        {
            // Below the index threshold: one scan over the span, and the value becomes a string only when it is new.
            return TryScanPlaceholder(entityType, original, out var scanned) ? scanned : Create(entityType, original.ToString(), withheld);
        }

        return GetOrAdd(entityType, original.ToString(), withheld);
    }

    private string GetOrAdd(string entityType, string original, bool withheld)
    {
        ArgumentException.ThrowIfNullOrEmpty(entityType);
        ArgumentException.ThrowIfNullOrEmpty(original);
        return TryGetPlaceholder(entityType, original, out var existing) ? existing : Create(entityType, original, withheld);
    }

    /// <summary>Adds <paramref name="original"/> (not in the map) under the next placeholder of its type.</summary>
    private string Create(string entityType, string original, bool withheld)
    {
        var placeholder = $"<{entityType}_{NextNumber(entityType)}>";
        Add(new MaskMapEntry(placeholder, entityType, original) { Withheld = withheld });
        return placeholder;
    }

    private bool TryGetEntry(ReadOnlySpan<char> placeholder, out MaskMapEntry entry)
    {
        if (_byPlaceholder is { } index)
        {
            return index.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(placeholder, out entry!);
        }

        if (_entries is { } entries)
        {
            foreach (var candidate in entries)
            {
                if (placeholder.SequenceEqual(candidate.Placeholder))
                {
                    entry = candidate;
                    return true;
                }
            }
        }

        entry = null!;
        return false;
    }

    private bool TryGetPlaceholder(string entityType, string original, out string placeholder) =>
        _byOriginal is { } index
            ? index.TryGetValue((entityType, original), out placeholder!)
            : TryScanPlaceholder(entityType, original, out placeholder);

    /// <summary>The list scan below the index threshold: the last entry added for a value wins, as in the index.</summary>
    private bool TryScanPlaceholder(string entityType, ReadOnlySpan<char> original, out string placeholder)
    {
        if (_entries is { } entries)
        {
            for (var i = entries.Count - 1; i >= 0; i--)
            {
                var entry = entries[i];
                if (original.SequenceEqual(entry.Original) && string.Equals(entry.EntityType, entityType, StringComparison.Ordinal))
                {
                    placeholder = entry.Placeholder;
                    return true;
                }
            }
        }

        placeholder = null!;
        return false;
    }

    /// <summary>The next placeholder number of <paramref name="entityType"/> (1 for the first), recorded as used.</summary>
    private int NextNumber(string entityType)
    {
        var i = CounterIndex(entityType);
        var next = _counters![i].Last + 1;
        _counters[i] = (entityType, next);
        return next;
    }

    /// <summary>Records that <paramref name="entityType"/>'s placeholders are numbered up to <paramref name="used"/> at least.</summary>
    private void RaiseNumber(string entityType, int used)
    {
        var i = CounterIndex(entityType);
        _counters![i] = (entityType, Math.Max(used, _counters[i].Last));
    }

    /// <summary>Where <paramref name="entityType"/>'s counter is (added at 0 when the type has none yet).</summary>
    private int CounterIndex(string entityType)
    {
        var counters = _counters ??= new List<(string, int)>(2);
        for (var i = 0; i < counters.Count; i++)
        {
            if (string.Equals(counters[i].EntityType, entityType, StringComparison.Ordinal))
            {
                return i;
            }
        }

        counters.Add((entityType, 0));
        return counters.Count - 1;
    }

    private void Add(MaskMapEntry entry)
    {
        var entries = _entries ??= new List<MaskMapEntry>(4);
        if (_byPlaceholder is null && entries.Count >= IndexThreshold)
        {
            // A large map (a long document full of values): index it once, then keep the index up to date.
            _byPlaceholder = new Dictionary<string, MaskMapEntry>(entries.Count * 2, StringComparer.Ordinal);
            _byOriginal = new Dictionary<(string, string), string>(entries.Count * 2);
            foreach (var known in entries)
            {
                Index(known);
            }
        }

        entries.Add(entry);
        if (_byPlaceholder is not null)
        {
            Index(entry);
        }
    }

    private void Index(MaskMapEntry entry)
    {
        _byPlaceholder![entry.Placeholder] = entry;
        _byOriginal![(entry.EntityType, entry.Original)] = entry.Placeholder;
    }
}

/// <summary>One placeholder and the value it stands for. Treat as secret.</summary>
/// <param name="Placeholder">For example <c>&lt;EMAIL_ADDRESS_1&gt;</c>.</param>
/// <param name="EntityType">For example <c>EMAIL_ADDRESS</c>.</param>
/// <param name="Original">The sensitive value.</param>
public sealed record MaskMapEntry(string Placeholder, string EntityType, string Original)
{
    /// <summary>
    /// Whether the value came from the model and is withheld from the caller: its placeholder is never restored and
    /// the value is not one the caller is known to have. <see langword="false"/> for values the caller supplied.
    /// </summary>
    public bool Withheld { get; init; }

    /// <summary>Redacts the original so that an entry printed by accident leaks nothing.</summary>
    public override string ToString() => $"{Placeholder} ({EntityType})";
}
