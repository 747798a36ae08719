using System.Security.Cryptography;
using System.Text;
using Aegis.Storage.Sqlite.Connections;

namespace Aegis.Storage.Sqlite.Encryption;

/// <summary>
/// Resolves the mask-map key at start-up: the configured key, or the key file beside the database
/// (created with owner-only permissions when the database holds no encrypted data yet). A key
/// check value in <c>meta</c> makes a wrong key fail at start-up rather than at the first resume.
/// </summary>
internal static class EncryptionKeys
{
    private const string KeyCheckName = "mask_key_check";
    private const string KeyCheckContext = "aegis-mask-key-check";
    private static readonly byte[] KeyCheckPlaintext = "aegis mask map key check v1"u8.ToArray();

    public static MaskMapProtector Resolve(PooledConnection connection, string databasePath, SqliteStoreOptions options)
    {
        MaskMapProtector protector;
        if (options.EncryptionKey is { } configured)
        {
            protector = new MaskMapProtector(Decode(configured, "persistence.encryption_key"), "persistence.encryption_key");
        }
        else
        {
            var keyPath = databasePath + ".key";
            protector = new MaskMapProtector(LoadOrCreateKeyFile(connection, databasePath, keyPath), keyPath);
        }

        Check(connection, databasePath, protector);
        return protector;
    }

    private static byte[] Decode(string base64, string source)
    {
        var buffer = new byte[64];
        if (!Convert.TryFromBase64String(base64.Trim(), buffer, out var written) || written != 32)
        {
            throw new AegisException(AegisErrors.StoreKeyInvalid, $"{source}: the key must be 32 bytes (256 bits) encoded as base64");
        }

        return buffer[..32];
    }

    private static byte[] LoadOrCreateKeyFile(PooledConnection connection, string databasePath, string keyPath)
    {
        if (File.Exists(keyPath))
        {
            return ReadKeyFile(keyPath);
        }

        var hasEncrypted = connection.Command("SELECT EXISTS (SELECT 1 FROM runs WHERE mask_map IS NOT NULL) OR EXISTS (SELECT 1 FROM meta WHERE name = 'mask_key_check');").ExecuteScalar();
        if (Convert.ToInt64(hasEncrypted, System.Globalization.CultureInfo.InvariantCulture) != 0)
        {
            throw new AegisException(AegisErrors.StoreKeyInvalid, $"{keyPath}: the key file is missing but {databasePath} holds encrypted mask maps; restore the key file or set persistence.encryption_key");
        }

        var key = RandomNumberGenerator.GetBytes(32);
        var temporary = $"{keyPath}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, fileOptions))
            {
                stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n"));
                stream.Flush(flushToDisk: true);
            }

            try
            {
                // Fails if another process created the key file meanwhile: then that one is the key.
                File.Move(temporary, keyPath, overwrite: false);
                return key;
            }
            catch (IOException) when (File.Exists(keyPath))
            {
                return ReadKeyFile(keyPath);
            }
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new AegisException(AegisErrors.StoreReadOnly, $"{keyPath}: cannot create the key file; make the directory writable or set persistence.encryption_key", ex);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static byte[] ReadKeyFile(string keyPath)
    {
        try
        {
            return Decode(File.ReadAllText(keyPath), keyPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AegisException(AegisErrors.StoreKeyInvalid, $"{keyPath}: the key file cannot be read; fix its permissions or set persistence.encryption_key", ex);
        }
    }

    private static void Check(PooledConnection connection, string databasePath, MaskMapProtector protector)
    {
        var read = connection.Command("SELECT value FROM meta WHERE name = $name;");
        read.Parameters.AddWithValue("$name", KeyCheckName);
        if (read.ExecuteScalar() is byte[] stored)
        {
            protector.Unprotect(stored, KeyCheckContext, databasePath);
            return;
        }

        var write = connection.Command("INSERT INTO meta (name, value) VALUES ($name, $value) ON CONFLICT (name) DO NOTHING;");
        write.Parameters.AddWithValue("$name", KeyCheckName);
        write.Parameters.AddWithValue("$value", protector.Protect(KeyCheckPlaintext, KeyCheckContext));
        write.ExecuteNonQuery();

        // Another process may have written its check first: make sure ours is the one stored.
        var again = connection.Command("SELECT value FROM meta WHERE name = $name;");
        again.Parameters.AddWithValue("$name", KeyCheckName);
        if (again.ExecuteScalar() is byte[] winner)
        {
            protector.Unprotect(winner, KeyCheckContext, databasePath);
        }
    }
}
