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

    // Property names of the canonical content, encoded once.
    private static readonly JsonEncodedText PrevName = JsonEncodedText.Encode("prev");
    private static readonly JsonEncodedText SeqName = JsonEncodedText.Encode("seq");
    private static readonly JsonEncodedText TsName = JsonEncodedText.Encode("ts");
    private static readonly JsonEncodedText RunName = JsonEncodedText.Encode("run");
    private static readonly JsonEncodedText PrincipalName = JsonEncodedText.Encode("principal");
    private static readonly JsonEncodedText RouteName = JsonEncodedText.Encode("route");
    private static readonly JsonEncodedText StageName = JsonEncodedText.Encode("stage");
    private static readonly JsonEncodedText NodeName = JsonEncodedText.Encode("node");
    private static readonly JsonEncodedText VerdictName = JsonEncodedText.Encode("verdict");
    private static readonly JsonEncodedText StatusName = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText ReasonName = JsonEncodedText.Encode("reason");
    private static readonly JsonEncodedText CodeName = JsonEncodedText.Encode("code");

    // One buffer, writer and SHA-256 state per thread: hashing allocates only the resulting hex string, and a
    // reused hash state skips the one-shot API's per-call setup of a native digest context.
    [ThreadStatic]
    private static HashScratch? t_scratch;

    /// <summary>Computes the hash of an event from its sequence, the previous hash and its entry.</summary>
    public static string ComputeHash(long sequence, string previousHash, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(previousHash);
        ArgumentNullException.ThrowIfNull(entry);
        var scratch = t_scratch ??= new HashScratch();
        var buffer = scratch.Buffer;
        var writer = scratch.Writer;
        buffer.ResetWrittenCount();
        writer.Reset(buffer);

        writer.WriteStartObject();
        writer.WriteString(PrevName, previousHash);
        writer.WriteNumber(SeqName, sequence);
        Span<char> timestamp = stackalloc char[64];
        entry.Timestamp.UtcDateTime.TryFormat(timestamp, out var written, "O", CultureInfo.InvariantCulture);
        writer.WriteString(TsName, timestamp[..written]);
        writer.WriteString(RunName, entry.RunId);
        writer.WriteString(PrincipalName, entry.PrincipalId);
        writer.WriteString(RouteName, entry.Route);
        WriteOptional(writer, StageName, entry.Stage?.ToWire());
        WriteOptional(writer, NodeName, entry.Node);
        WriteOptional(writer, VerdictName, entry.Verdict?.ToWire());
        WriteOptional(writer, StatusName, entry.Status?.ToWire());
        WriteOptional(writer, ReasonName, entry.Reason);
        WriteOptional(writer, CodeName, entry.Code);
        writer.WriteEndObject();
        writer.Flush();

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        scratch.Sha256.AppendData(buffer.WrittenSpan);
        scratch.Sha256.GetHashAndReset(hash);
        if (buffer.Capacity > HashScratch.MaxRetainedBytes)
        {
            t_scratch = null; // an unusually long reason: do not keep its buffer for the life of the thread
            scratch.Sha256.Dispose();
        }

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

    private static void WriteOptional(Utf8JsonWriter writer, JsonEncodedText name, string? value)
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

    private sealed class HashScratch
    {
        public const int MaxRetainedBytes = 16 * 1024;

        public HashScratch() => Writer = new Utf8JsonWriter(Buffer);

        public ArrayBufferWriter<byte> Buffer { get; } = new(512);

        public Utf8JsonWriter Writer { get; }

        // Always reset when ComputeHash returns: GetHashAndReset is its last use of it.
        public IncrementalHash Sha256 { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    }
}
