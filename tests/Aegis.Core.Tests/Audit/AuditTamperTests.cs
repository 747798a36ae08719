namespace Aegis.Core.Tests.Audit;

/// <summary>
/// What the hash chain detects and what it cannot: tampering with a chain of events given as a list
/// (<see cref="AuditChain.Verify"/>) and with the events stored in an <see cref="InMemoryAuditLedger"/>.
/// </summary>
public sealed class AuditTamperTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_untouched_chain_is_valid()
    {
        var result = AuditChain.Verify(Chain(6));

        Assert.Equal(AuditVerification.Valid(6), result);
    }

    [Fact]
    public void Editing_an_event_is_pinpointed_at_that_event()
    {
        var events = Chain(6);
        events[3] = events[3] with { Entry = events[3].Entry with { Reason = "nothing to see here" } };

        var result = AuditChain.Verify(events);

        Assert.False(result.IsValid);
        Assert.Equal(4, result.FirstBrokenSequence);
        Assert.Contains("edited", result.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("timestamp")]
    [InlineData("verdict")]
    [InlineData("code")]
    public void Editing_any_field_breaks_the_hash(string field)
    {
        var events = Chain(6);
        var entry = events[2].Entry;
        events[2] = events[2] with
        {
            Entry = field switch
            {
                "timestamp" => entry with { Timestamp = entry.Timestamp.AddTicks(1) },
                "verdict" => entry with { Verdict = VerdictKind.Block },
                _ => entry with { Code = "AEG-GRD-999" },
            },
        };

        var result = AuditChain.Verify(events);

        Assert.Equal(3, result.FirstBrokenSequence);
    }

    [Fact]
    public void Deleting_an_event_in_the_middle_is_pinpointed_at_the_gap()
    {
        var events = Chain(6);
        events.RemoveAt(2);

        var result = AuditChain.Verify(events);

        Assert.False(result.IsValid);
        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Contains("missing", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Deleting_an_event_and_renumbering_the_rest_is_caught_by_the_previous_hash()
    {
        var events = Chain(6);
        events.RemoveAt(2);
        for (var i = 2; i < events.Count; i++)
        {
            events[i] = events[i] with { Sequence = i + 1 };
        }

        var result = AuditChain.Verify(events);

        Assert.False(result.IsValid);
        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Contains("does not follow", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Swapping_two_events_is_pinpointed_at_the_first_swapped_position()
    {
        var events = Chain(6);
        (events[1], events[4]) = (events[4], events[1]);

        var result = AuditChain.Verify(events);

        Assert.False(result.IsValid);
        Assert.Equal(2, result.FirstBrokenSequence);
    }

    [Fact]
    public void Swapping_two_events_and_their_sequence_numbers_is_caught_by_the_previous_hash()
    {
        var events = Chain(6);
        var (second, fifth) = (events[1], events[4]);
        events[1] = fifth with { Sequence = 2 };
        events[4] = second with { Sequence = 5 };

        var result = AuditChain.Verify(events);

        Assert.False(result.IsValid);
        Assert.Equal(2, result.FirstBrokenSequence);
        Assert.Contains("does not follow", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Recomputing_the_hash_of_an_edited_event_is_caught_at_the_next_event()
    {
        var events = Chain(6);
        var edited = events[2].Entry with { Reason = "nothing to see here" };
        events[2] = events[2] with { Entry = edited, Hash = AuditChain.ComputeHash(3, events[2].PreviousHash, edited) };

        var result = AuditChain.Verify(events);

        Assert.False(result.IsValid);
        Assert.Equal(4, result.FirstBrokenSequence);
        Assert.Contains("does not follow", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Deleting_the_last_event_is_not_detectable_by_the_chain_alone()
    {
        // The chain only proves that each event follows the one before it. Cutting events off the end
        // leaves a shorter chain that is just as valid; only a verifier that knows the expected head
        // (the last sequence and hash, recorded elsewhere) can tell.
        var events = Chain(6);
        var head = events[^1];
        events.RemoveAt(events.Count - 1);

        var result = AuditChain.Verify(events);

        Assert.True(result.IsValid);
        Assert.Equal(5, result.EventCount);
        Assert.NotEqual(head.Sequence, result.EventCount);
        Assert.NotEqual(head.Hash, events[^1].Hash);
    }

    [Fact]
    public void Rewriting_every_hash_after_an_edit_is_not_detectable_by_the_chain_alone()
    {
        // Someone who can rewrite the whole tail recomputes every later hash; only a pinned head hash
        // (kept outside the ledger) exposes it.
        var events = Chain(6);
        var head = events[^1].Hash;
        events[2] = events[2] with { Entry = events[2].Entry with { Reason = "nothing to see here" } };
        for (var i = 2; i < events.Count; i++)
        {
            events[i] = AuditChain.Link(events[i].Sequence, events[i - 1].Hash, events[i].Entry);
        }

        Assert.True(AuditChain.Verify(events).IsValid);
        Assert.NotEqual(head, events[^1].Hash);
    }

    [Fact]
    public async Task Ledger_edit_is_pinpointed()
    {
        var ledger = await LedgerAsync(5);

        ledger.Tamper(events => events[1] = events[1] with { Entry = events[1].Entry with { Reason = "edited" } });
        var result = await ledger.VerifyAsync();

        Assert.False(result.IsValid);
        Assert.Equal(2, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Ledger_deletion_in_the_middle_is_pinpointed()
    {
        var ledger = await LedgerAsync(5);

        ledger.Tamper(events => events.RemoveAt(2));
        var result = await ledger.VerifyAsync();

        Assert.False(result.IsValid);
        Assert.Equal(3, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Ledger_swap_is_pinpointed()
    {
        var ledger = await LedgerAsync(5);

        ledger.Tamper(events => (events[2], events[3]) = (events[3], events[2]));
        var result = await ledger.VerifyAsync();

        Assert.False(result.IsValid);
        Assert.Equal(3, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Ledger_recomputed_hash_is_caught_at_the_next_event()
    {
        var ledger = await LedgerAsync(5);

        ledger.Tamper(events =>
        {
            var entry = events[1].Entry with { Reason = "edited" };
            events[1] = AuditChain.Link(2, events[0].Hash, entry);
        });
        var result = await ledger.VerifyAsync();

        Assert.False(result.IsValid);
        Assert.Equal(3, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Ledger_truncation_verifies_but_no_longer_matches_the_head()
    {
        var ledger = await LedgerAsync(5);
        var head = ledger.Head;

        ledger.Tamper(events => events.RemoveAt(events.Count - 1));
        var result = await ledger.VerifyAsync();
        var last = (await ledger.QueryAsync(new AuditQuery())).Events[^1];

        Assert.True(result.IsValid);
        Assert.Equal(4, result.EventCount);
        Assert.Equal((5L, head.Hash), ledger.Head);
        Assert.NotEqual(head.Hash, last.Hash);
    }

    [Fact]
    public async Task Ledger_keeps_chaining_from_its_head_after_a_truncation_so_the_gap_shows()
    {
        var ledger = await LedgerAsync(5);

        ledger.Tamper(events => events.RemoveAt(events.Count - 1));
        var appended = await ledger.AppendAsync([Entry(6)]);
        var result = await ledger.VerifyAsync();

        Assert.Equal(6, appended.Single().Sequence);
        Assert.False(result.IsValid);
        Assert.Equal(5, result.FirstBrokenSequence);
    }

    private static List<AuditEvent> Chain(int count)
    {
        var events = new List<AuditEvent>(count);
        var previous = AuditChain.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var e = AuditChain.Link(i, previous, Entry(i));
            events.Add(e);
            previous = e.Hash;
        }

        return events;
    }

    private static async Task<InMemoryAuditLedger> LedgerAsync(int count)
    {
        var ledger = new InMemoryAuditLedger();
        for (var i = 1; i <= count; i++)
        {
            await ledger.AppendAsync([Entry(i)]);
        }

        Assert.True((await ledger.VerifyAsync()).IsValid);
        return ledger;
    }

    private static AuditEntry Entry(int i) => new()
    {
        Timestamp = Start.AddSeconds(i),
        RunId = $"run-{(i + 1) / 2}",
        PrincipalId = "alice",
        Route = "support",
        Stage = GuardStage.Ingress,
        Node = "pii",
        Verdict = i % 2 == 0 ? VerdictKind.Sanitize : VerdictKind.Allow,
        Reason = $"decision {i}",
        Code = i % 3 == 0 ? "AEG-GRD-001" : null,
    };
}
