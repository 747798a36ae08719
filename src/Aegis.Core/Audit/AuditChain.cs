using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Aegis;

/// <summary>
/// The audit ledger's hash chain, shared by every ledger implementation so that a chain written by
/// one store verifies with any other. Each event's hash is SHA-256 over the previous hash and the
/// event's canonical content (a fixed-order UTF-8 JSON object), written as lower-case hex.
/// </summary>
public static class AuditChain
{
    /// <summary>The previous hash of the first event: 64 zeros.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Chains <paramref name="entry"/> after <paramref name="previousHash"/> at <paramref name="sequence"/>.</summary>
    public static AuditEvent Link(long sequence, string previousHash, AuditEntry entry) => new()
    {
        Sequence = sequence,
        Entry = entry,
        PreviousHash = previousHash,
        Hash = ComputeHash(sequence, previousHash, entry),
    };

    /// <summary>Computes the hash of an event from its sequence, the previous hash and its entry.</summary>
    public static string ComputeHash(long sequence, string previousHash, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(previousHash);
        ArgumentNullException.ThrowIfNull(entry);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("prev", previousHash);
            writer.WriteNumber("seq", sequence);
            writer.WriteString("ts", entry.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteString("run", entry.RunId);
            writer.WriteString("principal", entry.PrincipalId);
            writer.WriteString("route", entry.Route);
            WriteOptional(writer, "stage", entry.Stage?.ToWire());
            WriteOptional(writer, "node", entry.Node);
            WriteOptional(writer, "verdict", entry.Verdict?.ToWire());
            WriteOptional(writer, "status", entry.Status?.ToWire());
            WriteOptional(writer, "reason", entry.Reason);
            WriteOptional(writer, "code", entry.Code);
            writer.WriteEndObject();
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Walks events in the order given and reports the first broken link: an edited event (its hash
    /// no longer matches its content), a deleted one (a gap in the sequence or a previous hash that
    /// points elsewhere) or a reordered one (a sequence that goes backwards).
    /// </summary>
    public static AuditVerification Verify(IEnumerable<AuditEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var previousHash = GenesisHash;
        long expected = 1;
        long count = 0;
        foreach (var e in events)
        {
            count++;
            if (e.Sequence != expected)
            {
                var problem = e.Sequence > expected
                    ? $"event {expected} is missing (next present event is {e.Sequence}): deleted"
                    : $"event {e.Sequence} appears after event {expected - 1}: reordered";
                return new AuditVerification(false, count, expected, problem);
            }

            if (!string.Equals(e.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                return new AuditVerification(false, count, e.Sequence, $"event {e.Sequence} does not follow the previous event's hash: an earlier event was removed, replaced or reordered");
            }

            var actual = ComputeHash(e.Sequence, e.PreviousHash, e.Entry);
            if (!string.Equals(actual, e.Hash, StringComparison.Ordinal))
            {
                return new AuditVerification(false, count, e.Sequence, $"event {e.Sequence} content does not match its hash: edited");
            }

            previousHash = e.Hash;
            expected++;
        }

        return AuditVerification.Valid(count);
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
