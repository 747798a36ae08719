using Microsoft.Extensions.Configuration;

namespace Aegis;

/// <summary>Storage (<c>persistence:</c>).</summary>
public sealed class PersistenceOptions
{
    /// <summary><c>memory</c> (default for the library) or <c>sqlite</c>.</summary>
    public string? Type { get; set; }

    /// <summary>The database file for <c>sqlite</c> (default <c>aegis.db</c>).</summary>
    public string? Path { get; set; }

    /// <summary>The key that encrypts paused runs' mask maps at rest (<c>secret://env/NAME</c>); default: a key file beside the database.</summary>
    [ConfigurationKeyName("encryption_key")]
    public string? EncryptionKey { get; set; }
}
