namespace Aegis;

/// <summary>Stores API keys as SHA-256 hashes. Revocation takes effect for every process sharing the store.</summary>
public interface IApiKeyStore
{
    /// <summary>Creates a key and returns its plaintext once.</summary>
    ValueTask<CreatedApiKey> CreateAsync(ApiKeyRequest request, CancellationToken cancellationToken = default);

    /// <summary>Finds a key by the SHA-256 hex of its plaintext (revoked keys included; callers check <see cref="ApiKeyRecord.IsRevoked"/>).</summary>
    ValueTask<ApiKeyRecord?> FindByHashAsync(string keyHash, CancellationToken cancellationToken = default);

    /// <summary>Records that a key was used.</summary>
    ValueTask MarkUsedAsync(string keyId, DateTimeOffset usedAt, CancellationToken cancellationToken = default);

    /// <summary>Lists every key, oldest first.</summary>
    ValueTask<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Revokes a key; returns <see langword="false"/> if there is no such key.</summary>
    ValueTask<bool> RevokeAsync(string keyId, CancellationToken cancellationToken = default);
}
