namespace Aegis.Storage.Sqlite.Serialization;

/// <summary>How the store keeps instants: <see cref="DateTimeOffset.UtcTicks"/> in an <c>INTEGER</c> column, read back at offset zero.</summary>
internal static class UtcTicks
{
    /// <summary>The instant a column's UTC ticks hold, at offset zero.</summary>
    public static DateTimeOffset ToInstant(long utcTicks) => new(utcTicks, TimeSpan.Zero);
}
