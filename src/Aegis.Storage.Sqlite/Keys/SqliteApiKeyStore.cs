using System.Text.Json;
using Aegis.Storage.Sqlite.Connections;
using Aegis.Storage.Sqlite.Serialization;
using Microsoft.Data.Sqlite;

namespace Aegis;

/// <summary>
/// <see cref="IApiKeyStore"/> on a <see cref="SqliteDatabase"/>. Only the SHA-256 of a key is stored
/// (unique index); the plaintext exists once, in the <see cref="CreatedApiKey"/> returned by
/// <see cref="CreateAsync"/>. Lookups are not cached, so a key revoked by any process sharing the
/// file is refused by the next lookup in every other process.
/// </summary>
public sealed class SqliteApiKeyStore : IApiKeyStore
{
    private const string Columns = "id, name, principal_id, team, labels, key_hash, created_at, last_used_at, revoked_at";
    private const string FindByHash = $"SELECT {Columns} FROM api_keys WHERE key_hash = ?1;";
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Creates the store over an opened database.</summary>
    public SqliteApiKeyStore(SqliteDatabase database, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public ValueTask<CreatedApiKey> CreateAsync(ApiKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Name);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.PrincipalId);
        cancellationToken.ThrowIfCancellationRequested();
        var key = ApiKeys.Generate();
        var record = new ApiKeyRecord
        {
            Id = ApiKeys.GenerateId(),
            Name = request.Name,
            PrincipalId = request.PrincipalId,
            Team = request.Team,
            Labels = new Dictionary<string, string>(request.Labels, StringComparer.Ordinal),
            KeyHash = ApiKeys.Hash(key),
            CreatedAt = UtcTicks.ToInstant(_time.GetUtcNow().UtcTicks),
        };
        try
        {
            using var lease = _database.Rent();
            var command = lease.Command("INSERT INTO api_keys (id, name, principal_id, team, labels, key_hash, created_at) VALUES ($id, $name, $principal, $team, $labels, $hash, $created);");
            var p = command.Parameters;
            p.AddWithValue("$id", record.Id);
            p.AddWithValue("$name", record.Name);
            p.AddWithValue("$principal", record.PrincipalId);
            p.AddWithValue("$team", (object?)record.Team ?? DBNull.Value);
            p.AddWithValue("$labels", JsonSerializer.Serialize((Dictionary<string, string>)record.Labels, SqliteJsonContext.Default.DictionaryStringString));
            p.AddWithValue("$hash", record.KeyHash);
            p.AddWithValue("$created", record.CreatedAt.UtcTicks);
            command.ExecuteNonQuery();
        }
        catch (Exception ex) when (ex is not AegisException)
        {
            throw _database.Failed($"creating key {record.Id}", ex);
        }

        return ValueTask.FromResult(new CreatedApiKey(record, key));
    }

    /// <inheritdoc />
    public ValueTask<ApiKeyRecord?> FindByHashAsync(string keyHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyHash);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Read every time (one indexed row, native statement bound by index): a key revoked by any
            // process sharing the file is refused by the next lookup.
            using var lease = _database.Rent();
            var find = lease.Connection.Statement(FindByHash);
            find.BindText(1, keyHash);
            if (!find.Step())
            {
                return ValueTask.FromResult<ApiKeyRecord?>(null);
            }

            try
            {
                return ValueTask.FromResult<ApiKeyRecord?>(Read(find, keyHash));
            }
            finally
            {
                find.Reset();
            }
        }
        catch (Exception ex) when (ex is not AegisException)
        {
            throw _database.Failed("looking up a key", ex);
        }
    }

    /// <inheritdoc />
    public ValueTask MarkUsedAsync(string keyId, DateTimeOffset usedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        cancellationToken.ThrowIfCancellationRequested();
        Execute("UPDATE api_keys SET last_used_at = $at WHERE id = $id;", keyId, usedAt.UtcTicks, $"marking key {keyId} used");
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var lease = _database.Rent();
            using var reader = lease.Command($"SELECT {Columns} FROM api_keys ORDER BY created_at, rowid;").ExecuteReader();
            var keys = new List<ApiKeyRecord>();
            while (reader.Read())
            {
                keys.Add(Read(reader));
            }

            return ValueTask.FromResult<IReadOnlyList<ApiKeyRecord>>(keys);
        }
        catch (Exception ex) when (ex is not AegisException)
        {
            throw _database.Failed("listing keys", ex);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RevokeAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        cancellationToken.ThrowIfCancellationRequested();
        var changed = Execute("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $at) WHERE id = $id;", keyId, _time.GetUtcNow().UtcTicks, $"revoking key {keyId}");
        return ValueTask.FromResult(changed > 0);
    }

    private int Execute(string sql, string keyId, long ticks, string operation)
    {
        try
        {
            using var lease = _database.Rent();
            var command = lease.Command(sql);
            command.Parameters.AddWithValue("$id", keyId);
            command.Parameters.AddWithValue("$at", ticks);
            return command.ExecuteNonQuery();
        }
        catch (Exception ex) when (ex is not AegisException)
        {
            throw _database.Failed(operation, ex);
        }
    }

    private static ApiKeyRecord Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Name = reader.GetString(1),
        PrincipalId = reader.GetString(2),
        Team = reader.IsDBNull(3) ? null : reader.GetString(3),
        Labels = JsonSerializer.Deserialize(reader.GetString(4), SqliteJsonContext.Default.DictionaryStringString) ?? [],
        KeyHash = reader.GetString(5),
        CreatedAt = UtcTicks.ToInstant(reader.GetInt64(6)),
        LastUsedAt = reader.IsDBNull(7) ? null : UtcTicks.ToInstant(reader.GetInt64(7)),
        RevokedAt = reader.IsDBNull(8) ? null : UtcTicks.ToInstant(reader.GetInt64(8)),
    };

    /// <summary>The row <see cref="FindByHash"/> matched: its hash is the one looked up (binary comparison), so it is not read again.</summary>
    private static ApiKeyRecord Read(PreparedStatement row, string keyHash) => new()
    {
        Id = row.GetString(0),
        Name = row.GetString(1),
        PrincipalId = row.GetString(2),
        Team = row.GetStringOrNull(3),
        Labels = ReadLabels(row.GetUtf8(4)),
        KeyHash = keyHash,
        CreatedAt = UtcTicks.ToInstant(row.GetInt64(6)),
        LastUsedAt = row.IsNull(7) ? null : UtcTicks.ToInstant(row.GetInt64(7)),
        RevokedAt = row.IsNull(8) ? null : UtcTicks.ToInstant(row.GetInt64(8)),
    };

    private static Dictionary<string, string> ReadLabels(ReadOnlySpan<byte> json) => json.SequenceEqual("{}"u8)
        ? []
        : JsonSerializer.Deserialize(json, SqliteJsonContext.Default.DictionaryStringString) ?? [];

}
