namespace Aegis;

/// <summary>
/// A process-local <see cref="IApiKeyStore"/> for tests and pure-library use: keeps only the SHA-256
/// of each key (<see cref="ApiKeys.Hash"/>); the plaintext is returned once by
/// <see cref="CreateAsync"/> and never kept. Thread-safe, but not durable and not shared between
/// processes.
/// </summary>
public sealed class InMemoryApiKeyStore : IApiKeyStore
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly List<string> _order = [];
    private readonly Dictionary<string, ApiKeyRecord> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _idByHash = new(StringComparer.Ordinal);

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">The clock for creation and revocation times; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public InMemoryApiKeyStore(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public ValueTask<CreatedApiKey> CreateAsync(ApiKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Name);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.PrincipalId);
        cancellationToken.ThrowIfCancellationRequested();

        var key = ApiKeys.Generate();
        var labels = new Dictionary<string, string>(request.Labels, StringComparer.Ordinal);
        lock (_lock)
        {
            var id = ApiKeys.GenerateId();
            while (_byId.ContainsKey(id))
            {
                id = ApiKeys.GenerateId();
            }

            var record = new ApiKeyRecord
            {
                Id = id,
                Name = request.Name,
                PrincipalId = request.PrincipalId,
                Team = request.Team,
                Labels = labels,
                KeyHash = ApiKeys.Hash(key),
                CreatedAt = _time.GetUtcNow(),
            };
            _byId.Add(id, record);
            _idByHash.Add(record.KeyHash, id);
            _order.Add(id);
            return ValueTask.FromResult(new CreatedApiKey(record, key));
        }
    }

    /// <inheritdoc />
    public ValueTask<ApiKeyRecord?> FindByHashAsync(string keyHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyHash);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_idByHash.TryGetValue(keyHash, out var id) ? _byId[id] : null);
        }
    }

    /// <inheritdoc />
    /// <remarks>An unknown id is ignored; the latest use wins when uses are reported out of order.</remarks>
    public ValueTask MarkUsedAsync(string keyId, DateTimeOffset usedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_byId.TryGetValue(keyId, out var record) && (record.LastUsedAt is null || record.LastUsedAt < usedAt))
            {
                _byId[keyId] = record with { LastUsedAt = usedAt };
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var list = new ApiKeyRecord[_order.Count];
            for (var i = 0; i < list.Length; i++)
            {
                list[i] = _byId[_order[i]];
            }

            return ValueTask.FromResult<IReadOnlyList<ApiKeyRecord>>(list);
        }
    }

    /// <inheritdoc />
    /// <remarks>Revoking a revoked key returns <see langword="true"/> and keeps the first revocation time.</remarks>
    public ValueTask<bool> RevokeAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_byId.TryGetValue(keyId, out var record))
            {
                return ValueTask.FromResult(false);
            }

            if (record.RevokedAt is null)
            {
                _byId[keyId] = record with { RevokedAt = _time.GetUtcNow() };
            }

            return ValueTask.FromResult(true);
        }
    }
}
