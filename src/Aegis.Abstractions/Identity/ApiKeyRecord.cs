namespace Aegis;

/// <summary>An API key as stored: never the key itself, only its SHA-256 hash.</summary>
public sealed record ApiKeyRecord
{
    /// <summary>The key id (not secret; used to list and revoke).</summary>
    public required string Id { get; init; }

    /// <summary>A human name for the key.</summary>
    public required string Name { get; init; }

    /// <summary>The principal the key authenticates as.</summary>
    public required string PrincipalId { get; init; }

    /// <summary>The principal's team, if any.</summary>
    public string? Team { get; init; }

    /// <summary>Labels given to the principal.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>SHA-256 of the key, lower-case hex.</summary>
    public required string KeyHash { get; init; }

    /// <summary>When the key was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the key was last used, if ever.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>When the key was revoked, if it was.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Whether the key is revoked.</summary>
    public bool IsRevoked => RevokedAt is not null;

    /// <summary>The principal this key authenticates as (a blank <see cref="Team"/> is no team).</summary>
    public Principal ToPrincipal() => new(PrincipalId, string.IsNullOrWhiteSpace(Team) ? null : Team, Labels);
}

/// <summary>What to create a key for.</summary>
public sealed record ApiKeyRequest
{
    /// <summary>A human name for the key.</summary>
    public required string Name { get; init; }

    /// <summary>The principal the key authenticates as.</summary>
    public required string PrincipalId { get; init; }

    /// <summary>The principal's team.</summary>
    public string? Team { get; init; }

    /// <summary>Labels for the principal.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

/// <summary>A newly created key: the only time the plaintext is available.</summary>
/// <param name="Record">The stored record.</param>
/// <param name="Key">The plaintext key, <c>aeg-</c> followed by 64 hex digits. Show once; never store or log.</param>
public sealed record CreatedApiKey(ApiKeyRecord Record, string Key)
{
    /// <summary>Redacts the key.</summary>
    public override string ToString() => $"CreatedApiKey({Record.Id})";
}
