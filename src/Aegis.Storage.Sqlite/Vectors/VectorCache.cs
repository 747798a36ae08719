namespace Aegis.Storage.Sqlite.Vectors;

/// <summary>The in-memory copy of one collection, shared by every collection object of one database in the process.</summary>
internal sealed class VectorCache
{
    private readonly Lock _lock = new();
    private volatile VectorSnapshot? _current;

    public VectorSnapshot? Current => _current;

    /// <summary>Loads the collection at <paramref name="version"/> unless a concurrent caller already did.</summary>
    public VectorSnapshot Reload(long version, Func<long, VectorSnapshot> load)
    {
        lock (_lock)
        {
            if (_current is { } current && current.Version == version)
            {
                return current;
            }

            var loaded = load(version);
            _current = loaded;
            return loaded;
        }
    }
}
