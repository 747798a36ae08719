using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Aegis.Core.Tests.Audit;

/// <summary>
/// The hash must stay byte-for-byte what it was when ledgers were first written: the pooled writer gives
/// the same hash as a fresh writer over the canonical form, for every kind of entry and on repeated use.
/// </summary>
public sealed class AuditChainCanonicalFormTests
{
    private static readonly AuditEntry[] EntryKinds =
    [
        new AuditEntry { Timestamp = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), RunId = "r1", PrincipalId = "alice", Route = "default", Node = "engine", Status = RunStatus.Running },
        new AuditEntry { Timestamp = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(2)).AddTicks(1234), RunId = "r2", PrincipalId = "bob", Route = "r", Stage = GuardStage.Ingress, Node = "pii", Verdict = VerdictKind.Sanitize, Reason = "masked 1 EMAIL_ADDRESS, 1 PHONE_NUMBER" },
        new AuditEntry { Timestamp = DateTimeOffset.MinValue, RunId = "r3", PrincipalId = "p", Route = "r", Stage = GuardStage.Egress, Node = "inj", Verdict = VerdictKind.Block, Reason = "prompt injection: «quoted» \"text\" <tag> & é 🙂", Code = "AEG-POL-004", Status = RunStatus.Blocked },
        new AuditEntry { Timestamp = DateTimeOffset.MaxValue, RunId = "r4", PrincipalId = "p", Route = "r", Reason = new string('x', 40_000) },
    ];

    public static TheoryData<AuditEntry> Entries() => new(EntryKinds);

    [Theory]
    [MemberData(nameof(Entries))]
    public void Hash_equals_a_fresh_writer_over_the_canonical_form(AuditEntry entry)
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Reference(42 + i, AuditChain.GenesisHash, entry), AuditChain.ComputeHash(42 + i, AuditChain.GenesisHash, entry));
        }
    }

    [Fact]
    public void Hash_after_a_long_entry_drops_its_scratch_is_still_the_canonical_one()
    {
        // A reason over the retained size makes the thread drop its buffer and dispose its hash state; the next
        // entry on the same thread must get fresh ones, and the same hash as the canonical form.
        var longEntry = EntryKinds[3];
        var shortEntry = EntryKinds[1];
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Reference(7, AuditChain.GenesisHash, longEntry), AuditChain.ComputeHash(7, AuditChain.GenesisHash, longEntry));
            Assert.Equal(Reference(8, AuditChain.GenesisHash, shortEntry), AuditChain.ComputeHash(8, AuditChain.GenesisHash, shortEntry));
        }
    }

    private static string Reference(long sequence, string previousHash, AuditEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("prev", previousHash);
            writer.WriteNumber("seq", sequence);
            writer.WriteString("ts", entry.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteString("run", entry.RunId);
            writer.WriteString("principal", entry.PrincipalId);
            writer.WriteString("route", entry.Route);
            Optional(writer, "stage", entry.Stage?.ToWire());
            Optional(writer, "node", entry.Node);
            Optional(writer, "verdict", entry.Verdict?.ToWire());
            Optional(writer, "status", entry.Status?.ToWire());
            Optional(writer, "reason", entry.Reason);
            Optional(writer, "code", entry.Code);
            writer.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void Optional(Utf8JsonWriter writer, string name, string? value)
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
