using System.Text;
using static Aegis.Core.Tests.Guardrails.Pii.PiiTestContext;

namespace Aegis.Core.Tests.Guardrails.Pii;

public sealed class PiiGuardrailStreamTests
{
    private static RunState StateWithJane()
    {
        var state = NewState();
        state.MaskMap.GetOrAddPlaceholder("EMAIL_ADDRESS", "jane@example.com");
        state.MaskMap.GetOrAddPlaceholder("PHONE_NUMBER", "+44 20 7946 0958");
        return state;
    }

    private static (string Released, Verdict Final, List<Verdict> Appends) Stream(PiiGuardrail guard, RunState state, params string[] chunks)
    {
        var stream = guard.BeginStream(new GuardrailContext(GuardStage.Egress, [], state));
        var released = new StringBuilder();
        var verdicts = new List<Verdict>();
        foreach (var chunk in chunks)
        {
            var verdict = stream.Append(chunk, released);
            verdicts.Add(verdict);
            if (verdict.Kind == VerdictKind.Block)
            {
                return (released.ToString(), verdict, verdicts);
            }
        }

        var final = stream.Complete(released);
        return (released.ToString(), final, verdicts);
    }

    private static string[] Split(string text, int size)
    {
        var chunks = new List<string>();
        for (var i = 0; i < text.Length; i += size)
        {
            chunks.Add(text.Substring(i, Math.Min(size, text.Length - i)));
        }

        return [.. chunks];
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(64)]
    public void Placeholder_split_across_chunks_is_restored(int holdBack)
    {
        var guard = new PiiGuardrail("pii", new PiiGuardrailOptions { HoldBack = holdBack });
        var (released, final, _) = Stream(guard, StateWithJane(), "Write to <EMAIL_", "ADDRESS_1> today, please.");
        Assert.Same(Verdict.Allow, final);
        Assert.Equal("Write to jane@example.com today, please.", released);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(64)]
    public void Email_split_across_chunks_is_masked(int holdBack)
    {
        var guard = new PiiGuardrail("pii", new PiiGuardrailOptions { HoldBack = holdBack });
        var state = NewState();
        var (released, final, _) = Stream(guard, state, "Contact bob.sm", "ith@example.org for ", "details.");
        Assert.Same(Verdict.Allow, final);
        Assert.Equal("Contact <EMAIL_ADDRESS_1> for details.", released);

        // The model's value is withheld: kept for stable placeholders, never restored.
        Assert.False(state.MaskMap.TryGetOriginal("<EMAIL_ADDRESS_1>", out _));
        var entry = Assert.Single(state.MaskMap.Entries);
        Assert.Equal(new MaskMapEntry("<EMAIL_ADDRESS_1>", "EMAIL_ADDRESS", "bob.smith@example.org") { Withheld = true }, entry);
    }

    [Fact]
    public void Nothing_is_released_inside_the_hold_back_window()
    {
        var guard = new PiiGuardrail("pii", new PiiGuardrailOptions { HoldBack = 10 });
        var stream = guard.BeginStream(new GuardrailContext(GuardStage.Egress, [], NewState()));
        var released = new StringBuilder();
        Assert.Same(Verdict.Allow, stream.Append("0123456789", released));
        Assert.Equal(0, released.Length);
        Assert.Same(Verdict.Allow, stream.Append(" two three", released));
        Assert.Equal("0123456789", released.ToString());
        stream.Append(" four five", released);
        Assert.Equal("0123456789 two three", released.ToString());
        stream.Complete(released);
        Assert.Equal("0123456789 two three four five", released.ToString());
    }

    [Fact]
    public void Digit_groups_are_held_together_even_with_a_small_window()
    {
        var guard = new PiiGuardrail("pii", new PiiGuardrailOptions { HoldBack = 2 });
        var stream = guard.BeginStream(new GuardrailContext(GuardStage.Egress, [], NewState()));
        var released = new StringBuilder();
        stream.Append("Pay with 4111 1111 11", released);
        Assert.Equal("Pay with ", released.ToString());
        stream.Append("11 1111 today", released);
        stream.Complete(released);
        Assert.Equal("Pay with <CREDIT_CARD_1> today", released.ToString());
    }

    [Fact]
    public void Partial_placeholder_is_held_even_with_no_window()
    {
        var guard = new PiiGuardrail("pii", new PiiGuardrailOptions { HoldBack = 0 });
        var stream = guard.BeginStream(new GuardrailContext(GuardStage.Egress, [], StateWithJane()));
        var released = new StringBuilder();
        stream.Append("Hi <EMAIL_ADD", released);
        Assert.Equal("Hi ", released.ToString());
        stream.Append("RESS_1> see you", released);
        Assert.Equal("Hi jane@example.com see ", released.ToString());
        stream.Complete(released);
        Assert.Equal("Hi jane@example.com see you", released.ToString());
    }

    public static TheoryData<string, int> Answers => new()
    {
        { "Sure <EMAIL_ADDRESS_1>, I called <PHONE_NUMBER_1> and also mailed ops@corp.example; the server 10.20.30.40 and https://status.example.com/page?id=7 are fine. Card 4111 1111 1111 1111 is on file. <EMAIL_ADDRESS_1> again.", 1 },
        { "Sure <EMAIL_ADDRESS_1>, I called <PHONE_NUMBER_1> and also mailed ops@corp.example; the server 10.20.30.40 and https://status.example.com/page?id=7 are fine. Card 4111 1111 1111 1111 is on file. <EMAIL_ADDRESS_1> again.", 3 },
        { "Sure <EMAIL_ADDRESS_1>, I called <PHONE_NUMBER_1> and also mailed ops@corp.example; the server 10.20.30.40 and https://status.example.com/page?id=7 are fine. Card 4111 1111 1111 1111 is on file. <EMAIL_ADDRESS_1> again.", 7 },
        { "Version 1.2.3.4 of the tool < 2 and <NOT_A_PLACEHOLDER_3> plus IBAN GB82 WEST 1234 5698 7654 32 and +1 650 253 0000 end", 5 },
        { "Version 1.2.3.4 of the tool < 2 and <NOT_A_PLACEHOLDER_3> plus IBAN GB82 WEST 1234 5698 7654 32 and +1 650 253 0000 end", 16 },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Released_text_equals_the_buffered_egress_result(string answer, int chunkSize)
    {
        var guard = new PiiGuardrail("pii", new PiiGuardrailOptions());
        var buffered = await guard.EvaluateAsync(Text(GuardStage.Egress, StateWithJane(), answer));
        var expected = buffered.Kind == VerdictKind.Sanitize ? buffered.Content![0].Text : answer;

        var (released, final, appends) = Stream(guard, StateWithJane(), Split(answer, chunkSize));

        Assert.Same(Verdict.Allow, final);
        Assert.All(appends, v => Assert.Equal(VerdictKind.Allow, v.Kind));
        Assert.Equal(expected, released);
    }

    [Fact]
    public void A_value_the_model_repeats_later_in_a_stream_is_masked_every_time()
    {
        var guard = new PiiGuardrail("pii", new PiiGuardrailOptions { HoldBack = 8 });
        var state = StateWithJane();
        var text = "First boss@example.com, then a long stretch of ordinary words that is released on its own, "
            + "and later boss@example.com again, next to jane@example.com and <EMAIL_ADDRESS_1>.";

        var (released, final, _) = Stream(guard, state, Split(text, 7));

        Assert.Same(Verdict.Allow, final);
        Assert.DoesNotContain("boss@example.com", released, StringComparison.Ordinal);
        Assert.Equal(
            "First <EMAIL_ADDRESS_2>, then a long stretch of ordinary words that is released on its own, "
            + "and later <EMAIL_ADDRESS_2> again, next to jane@example.com and jane@example.com.",
            released);
    }

    [Fact]
    public void Block_mode_blocks_pii_during_the_stream_without_releasing_it()
    {
        var guard = new PiiGuardrail("pii", new PiiGuardrailOptions { Mode = PiiMode.Block, HoldBack = 8 });
        var text = "Here you go: the number is 4111 1111 1111 1111 and that is all there is to say about it.";
        var (released, final, _) = Stream(guard, NewState(), Split(text, 5));

        Assert.Equal(VerdictKind.Block, final.Kind);
        Assert.Equal("PII detected: CREDIT_CARD", final.Reason);
        Assert.DoesNotContain("4111", released, StringComparison.Ordinal);
    }

    [Fact]
    public void Block_mode_final_pass_catches_a_value_longer_than_the_window()
    {
        var guard = new PiiGuardrail("pii", new PiiGuardrailOptions { Mode = PiiMode.Block, HoldBack = 4 });
        var state = NewState();
        var stream = guard.BeginStream(new GuardrailContext(GuardStage.Egress, [], state));
        var released = new StringBuilder();

        // A local part longer than a token may be held back is released before the '@' makes it detectable.
        Assert.Equal(VerdictKind.Allow, stream.Append("mail " + new string('a', 300), released).Kind);
        Assert.NotEqual(0, released.Length);
        stream.Append("@example.com", released);
        var final = stream.Complete(released);

        Assert.Equal(VerdictKind.Block, final.Kind);
        Assert.Equal("PII detected: EMAIL_ADDRESS", final.Reason);
    }

    [Fact]
    public void Block_mode_restores_placeholders_while_streaming()
    {
        var guard = new PiiGuardrail("pii", new PiiGuardrailOptions { Mode = PiiMode.Block });
        var (released, final, _) = Stream(guard, StateWithJane(), "Dear <EMAIL_ADDRESS_1>, ", "thanks.");
        Assert.Same(Verdict.Allow, final);
        Assert.Equal("Dear jane@example.com, thanks.", released);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Random_chunking_releases_exactly_the_buffered_result(int seed)
    {
        var answer = "Hello <EMAIL_ADDRESS_1>! Your account GB82WEST12345698765432 (ssn 536-90-4399) was updated from 2001:db8::1 "
            + "and 192.168.0.1; docs at https://docs.example.com/a/very/long/path/that/is/longer/than/the/default/hold/back/window/of/sixty/four/chars/index.html. "
            + "Call <PHONE_NUMBER_1> or +1 650 253 0000, version 1.2.3.4, < and > signs, <UNKNOWN_2>, mail ops@corp.example.";
        var guard = new PiiGuardrail("pii", new PiiGuardrailOptions { HoldBack = seed * 7 });
        var buffered = await guard.EvaluateAsync(Text(GuardStage.Egress, StateWithJane(), answer));

        var random = new Random(seed);
        var chunks = new List<string>();
        for (var i = 0; i < answer.Length;)
        {
            var size = Math.Min(random.Next(1, 12), answer.Length - i);
            chunks.Add(answer.Substring(i, size));
            i += size;
        }

        var (released, final, _) = Stream(guard, StateWithJane(), [.. chunks]);
        Assert.Same(Verdict.Allow, final);
        Assert.Equal(buffered.Content![0].Text, released);
    }

    [Fact]
    public async Task A_long_answer_in_small_chunks_releases_exactly_the_buffered_result()
    {
        // Longer than the stream's first buffer, so the raw text moves to a larger one mid-stream. (Each new value
        // appears once: a value masked early in a stream is in the mask map when it comes again, and is then left
        // as a known original, unlike in the buffered pass.)
        var sentence = "Write to <EMAIL_ADDRESS_1>, call <PHONE_NUMBER_1>; version 1.2.3 of the tool < 2 is fine. ";
        var answer = string.Concat(Enumerable.Repeat(sentence, 20)) + "Mail ops@corp.example or +1 650 253 0000 from 10.1.2.3. "
            + string.Concat(Enumerable.Repeat(sentence, 20));
        var guard = new PiiGuardrail("pii", new PiiGuardrailOptions());
        var buffered = await guard.EvaluateAsync(Text(GuardStage.Egress, StateWithJane(), answer));

        var (released, final, _) = Stream(guard, StateWithJane(), Split(answer, 37));

        Assert.Same(Verdict.Allow, final);
        Assert.Equal(buffered.Content![0].Text, released);
    }

    [Fact]
    public void After_complete_the_stream_releases_nothing_and_repeats_its_final_verdict()
    {
        var guard = new PiiGuardrail("pii", new PiiGuardrailOptions { Mode = PiiMode.Block });
        var stream = guard.BeginStream(new GuardrailContext(GuardStage.Egress, [], NewState()));
        var released = new StringBuilder();
        stream.Append("All good here.", released);
        Assert.Same(Verdict.Allow, stream.Complete(released));
        Assert.Equal("All good here.", released.ToString());

        Assert.Same(Verdict.Allow, stream.Append(" Mail ops@corp.example now.", released));
        Assert.Same(Verdict.Allow, stream.Complete(released));
        Assert.Equal("All good here.", released.ToString());
    }
}
