namespace Aegis.Cli.Hosting;

/// <summary>Opens the gateway's SQLite database for the offline commands (<c>keys</c>, <c>audit verify</c>).</summary>
internal static class CliDatabase
{
    /// <summary>
    /// The database at <paramref name="databaseFlag"/>, else <c>persistence.path</c> from the configuration,
    /// else <c>aegis.db</c>; opened with <c>persistence.encryption_key</c> when the configuration sets one.
    /// </summary>
    /// <param name="configPath">The <c>--config</c> value.</param>
    /// <param name="databaseFlag">The <c>--db</c> value.</param>
    /// <param name="mustExist">Whether a missing file is an error (reading commands) rather than a new database (<c>keys create</c>).</param>
    public static SqliteDatabase Open(string? configPath, string? databaseFlag, bool mustExist)
    {
        // Unresolved: managing keys must not need the providers' secrets (only the database's own key is resolved).
        var options = AegisOptionsBinder.BindUnresolved(CliConfiguration.Build(configPath).Configuration);
        var path = ResolvePath(databaseFlag, options);
        if (mustExist && !File.Exists(path))
        {
            throw new AegisException(AegisErrors.StoreFailed, $"--db {path}: no database file there; pass --db with the gateway's database (aegis dev and aegis serve create it)");
        }

        var key = options.Persistence.EncryptionKey;
        return SqliteDatabase.Open(path, new SqliteStoreOptions
        {
            EncryptionKey = key is null ? null : AegisSecrets.Resolve(key, "persistence.encryption_key"),
        });
    }

    /// <summary><c>--db</c>, else <c>persistence.path</c>, else <c>aegis.db</c>.</summary>
    public static string ResolvePath(string? databaseFlag, AegisOptions options)
    {
        if (!string.IsNullOrWhiteSpace(databaseFlag))
        {
            return databaseFlag;
        }

        return string.IsNullOrWhiteSpace(options.Persistence.Path) ? AegisSqliteExtensions.DefaultPath : options.Persistence.Path;
    }
}
