using System.Text.Json;
using Aegis.Storage.Sqlite.Connections;
using Aegis.Storage.Sqlite.Serialization;
using Aegis.Storage.Sqlite.Writes;
using Microsoft.Data.Sqlite;

namespace Aegis.Storage.Sqlite.Audit;

/// <summary>
/// How the ledger keeps its events: the events that one append wrote for one run, principal and route, as one row
/// of <c>audit_segments</c>. The row's columns hold what queries filter on: the run, principal and route, the
/// sequence range, the latest timestamp, and the last hash, which is the chain head. Its <c>events</c> column holds
/// the events themselves, as a JSON array of <c>[ts, stage, node, verdict, status, reason, code, prev_hash, hash]</c>
/// in sequence order from <c>first_seq</c>, and <c>ts_high</c> is the running maximum of <c>max_ts</c> in sequence order
/// (<see cref="FirstSequenceReaching"/>). A governed run so writes one row and three index entries, not five rows and
/// twenty index entries. The chain is the same as one row an event, and so is what <see cref="AuditChain.Verify"/> checks.
/// </summary>
internal static class AuditSegments
{
    /// <summary>The columns <see cref="TryRead"/> reads, in its order.</summary>
    public const string Columns = "first_seq, last_seq, run_id, principal_id, route, events";

    /// <summary>
    /// The chain head: the sequence and hash of the newest event and the newest segment's <c>ts_high</c> (no row
    /// when the ledger is empty).
    /// </summary>
    public const string Head = "SELECT last_seq, last_hash, ts_high FROM audit_segments ORDER BY first_seq DESC LIMIT 1;";

    /// <summary>The segment that holds sequence <c>?1</c> or, in a gap, the one before it: its range and <c>ts_high</c>.</summary>
    public const string AtOrBefore = "SELECT first_seq, last_seq, ts_high FROM audit_segments WHERE first_seq <= ?1 ORDER BY first_seq DESC LIMIT 1;";

    /// <summary><c>ts_high</c> before the first segment: below every timestamp.</summary>
    public const long NoTimestamp = long.MinValue;

    private const string Insert = "INSERT INTO audit_segments (first_seq, last_seq, max_ts, run_id, principal_id, route, last_hash, events, ts_high) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9);";

    /// <summary>
    /// Inserts <paramref name="events"/> (linked, in sequence order) as segments: a new one wherever the run,
    /// principal or route changes from the event before. <paramref name="timestampHigh"/> is the <c>ts_high</c> of the
    /// segment before them (<see cref="NoTimestamp"/> for the first); returns that of the last one written.
    /// </summary>
    public static long Write(WriteBatch batch, AuditEvent[] events, long timestampHigh)
    {
        var insert = batch.Statement(Insert);
        var start = 0;
        for (var i = 1; i <= events.Length; i++)
        {
            if (i == events.Length || !SameSegment(events[start].Entry, events[i].Entry))
            {
                timestampHigh = WriteOne(insert, events.AsSpan(start, i - start), timestampHigh);
                start = i;
            }
        }

        return timestampHigh;
    }

    /// <summary>
    /// The first sequence from which events at or after <paramref name="sinceTicks"/> can be found: the first segment
    /// whose <c>ts_high</c> reaches it (every segment before holds only older events), or one past the newest event
    /// when none does. A binary search over the sequence, one rowid lookup a step.
    /// </summary>
    public static long FirstSequenceReaching(PooledConnection connection, long sinceTicks)
    {
        var probe = connection.Statement(AtOrBefore);
        var low = 1L;
        var high = 1L;
        var head = connection.Statement(Head);
        try
        {
            if (head.Step())
            {
                high = head.GetInt64(0) + 1;
            }
        }
        finally
        {
            head.Reset();
        }

        // Invariant: no segment that starts below low reaches sinceTicks; high is where one does, or the end.
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            probe.BindInt64(1, middle);
            try
            {
                if (!probe.Step())
                {
                    low = middle + 1; // no segment at or below middle
                    continue;
                }

                var first = probe.GetInt64(0);
                var last = probe.GetInt64(1);
                if (probe.IsNull(2) || probe.GetInt64(2) >= sinceTicks) // a missing value may reach it
                {
                    high = first;
                }
                else
                {
                    low = Math.Max(last, middle) + 1; // past this segment (and past a gap, should a row be missing)
                }
            }
            finally
            {
                probe.Reset();
            }
        }

        return low;
    }

    /// <summary>
    /// Adds to <paramref name="into"/> the events of the segment at <paramref name="row"/> with a sequence above
    /// <paramref name="afterSequence"/> and a timestamp at or after <paramref name="sinceTicks"/>, until it holds
    /// <paramref name="limit"/>. <see langword="false"/> when the row's events are not well-formed JSON of that shape (it was edited).
    /// </summary>
    public static bool TryRead(SqliteDataReader row, List<AuditEvent> into, long afterSequence = 0, long? sinceTicks = null, int limit = int.MaxValue)
    {
        var before = into.Count;
        if (TryReadEvents(row, into, afterSequence, sinceTicks, limit))
        {
            return true;
        }

        into.RemoveRange(before, into.Count - before); // none of a row that cannot be read whole
        return false;
    }

    private static bool TryReadEvents(SqliteDataReader row, List<AuditEvent> into, long afterSequence, long? sinceTicks, int limit)
    {
        var sequence = row.GetInt64(0);
        var runId = row.GetString(2);
        var principalId = row.GetString(3);
        var route = row.GetString(4);
        var json = new Utf8JsonReader(row.GetFieldValue<byte[]>(5));
        try
        {
            if (!json.Read() || json.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            while (json.Read() && json.TokenType == JsonTokenType.StartArray)
            {
                if (!json.Read() || json.TokenType != JsonTokenType.Number || !json.TryGetInt64(out var ts)
                    || !TryReadString(ref json, out var stage) || !TryReadString(ref json, out var node)
                    || !TryReadString(ref json, out var verdict) || !TryReadString(ref json, out var status)
                    || !TryReadString(ref json, out var reason) || !TryReadString(ref json, out var code)
                    || !TryReadString(ref json, out var previousHash) || previousHash is null
                    || !TryReadString(ref json, out var hash) || hash is null
                    || !json.Read() || json.TokenType != JsonTokenType.EndArray)
                {
                    return false;
                }

                if (sequence > afterSequence && (sinceTicks is null || ts >= sinceTicks) && into.Count < limit)
                {
                    into.Add(new AuditEvent
                    {
                        Sequence = sequence,
                        Entry = new AuditEntry
                        {
                            Timestamp = UtcTicks.ToInstant(ts),
                            RunId = runId,
                            PrincipalId = principalId,
                            Route = route,
                            Stage = stage is not null && GuardStageNames.TryParse(stage, out var s) ? s : null,
                            Node = node,
                            Verdict = verdict is not null && VerdictKindNames.TryParse(verdict, out var v) ? v : null,
                            Status = status is not null && RunStatusNames.TryParse(status, out var st) ? st : null,
                            Reason = reason,
                            Code = code,
                        },
                        PreviousHash = previousHash,
                        Hash = hash,
                    });
                }

                sequence++;
            }

            // Not checked against last_seq: an event added to or removed from the array shifts the sequences of
            // those after it, which the chain's verification reports where it happens.
            return json.TokenType == JsonTokenType.EndArray && !json.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool SameSegment(AuditEntry a, AuditEntry b) =>
        string.Equals(a.RunId, b.RunId, StringComparison.Ordinal)
        && string.Equals(a.PrincipalId, b.PrincipalId, StringComparison.Ordinal)
        && string.Equals(a.Route, b.Route, StringComparison.Ordinal);

    private static long WriteOne(PreparedStatement insert, ReadOnlySpan<AuditEvent> events, long timestampHigh)
    {
        var scratch = JsonScratch.Rent();
        try
        {
            var writer = scratch.Writer;
            var maxTicks = long.MinValue;
            writer.WriteStartArray();
            foreach (var e in events)
            {
                var entry = e.Entry;
                var ticks = entry.Timestamp.UtcTicks;
                maxTicks = Math.Max(maxTicks, ticks);
                writer.WriteStartArray();
                writer.WriteNumberValue(ticks);
                writer.WriteStringValue(entry.Stage?.ToWire());
                writer.WriteStringValue(entry.Node);
                writer.WriteStringValue(entry.Verdict?.ToWire());
                writer.WriteStringValue(entry.Status?.ToWire());
                writer.WriteStringValue(entry.Reason);
                writer.WriteStringValue(entry.Code);
                writer.WriteStringValue(e.PreviousHash);
                writer.WriteStringValue(e.Hash);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.Flush();
            var first = events[0];
            insert.BindInt64(1, first.Sequence);
            insert.BindInt64(2, events[^1].Sequence);
            insert.BindInt64(3, maxTicks);
            insert.BindText(4, first.Entry.RunId);
            insert.BindText(5, first.Entry.PrincipalId);
            insert.BindText(6, first.Entry.Route);
            insert.BindText(7, events[^1].Hash);
            insert.BindUtf8(8, scratch.WrittenSpan); // SQLite copies the bytes
            timestampHigh = Math.Max(timestampHigh, maxTicks);
            insert.BindInt64(9, timestampHigh);
            insert.Execute();
            return timestampHigh;
        }
        finally
        {
            scratch.Release(); // also when the insert fails: an oversized buffer is not kept
        }
    }

    private static bool TryReadString(ref Utf8JsonReader json, out string? value)
    {
        value = null;
        if (!json.Read())
        {
            return false;
        }

        if (json.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (json.TokenType != JsonTokenType.String)
        {
            return false;
        }

        value = json.GetString();
        return true;
    }
}
