namespace Aegis;

/// <summary>
/// An appended, hash-chained audit event: the entry plus its position in the ledger and the chain
/// links. <see cref="Hash"/> is the SHA-256 (lower-case hex) of <see cref="PreviousHash"/> and the
/// event's canonical content, so any edit, deletion or reordering breaks the chain.
/// </summary>
public sealed record AuditEvent
{
    /// <summary>The position in the ledger, starting at 1, without gaps.</summary>
    public required long Sequence { get; init; }

    /// <summary>The decision recorded.</summary>
    public required AuditEntry Entry { get; init; }

    /// <summary>The previous event's <see cref="Hash"/> (64 zeros for the first event).</summary>
    public required string PreviousHash { get; init; }

    /// <summary>This event's hash.</summary>
    public required string Hash { get; init; }
}
