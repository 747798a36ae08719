using System.Text.Json;
using Microsoft.Extensions.AI;
using static Aegis.Core.Tests.Guardrails.Pii.PiiTestContext;

namespace Aegis.Core.Tests.Guardrails.Pii;

public sealed class PiiGuardrailTests
{
    private static readonly PiiGuardrail Masking = new("pii", new PiiGuardrailOptions());
    private static readonly PiiGuardrail Blocking = new("pii", new PiiGuardrailOptions { Mode = PiiMode.Block });

    [Fact]
    public async Task Ingress_masks_and_egress_restores_from_the_mask_map()
    {
        var state = NewState();
        var ingress = await Masking.EvaluateAsync(Text(GuardStage.Ingress, state, "I am jane@example.com, call +44 20 7946 0958."));

        Assert.Equal(VerdictKind.Sanitize, ingress.Kind);
        Assert.Equal("I am <EMAIL_ADDRESS_1>, call <PHONE_NUMBER_1>.", ingress.Content![0].Text);
        Assert.Equal("masked 1 EMAIL_ADDRESS, 1 PHONE_NUMBER", ingress.Reason);
        Assert.Equal(2, state.MaskMap.Count);
        Assert.True(state.MaskMap.TryGetOriginal("<EMAIL_ADDRESS_1>", out var email));
        Assert.Equal("jane@example.com", email);

        var egress = await Masking.EvaluateAsync(Text(GuardStage.Egress, state, "Sure <EMAIL_ADDRESS_1>, I will ring <PHONE_NUMBER_1>."));
        Assert.Equal(VerdictKind.Sanitize, egress.Kind);
        Assert.Equal("Sure jane@example.com, I will ring +44 20 7946 0958.", egress.Content![0].Text);
        Assert.Equal("restored 2 placeholders", egress.Reason);
    }

    [Fact]
    public async Task Placeholders_are_stable_per_value_and_numbered_per_type()
    {
        var state = NewState();
        var verdict = await Masking.EvaluateAsync(Of(GuardStage.Ingress, state,
            new ChatMessage(ChatRole.User, "a@x.io and b@x.io"),
            new ChatMessage(ChatRole.User, "again a@x.io")));

        Assert.Equal("<EMAIL_ADDRESS_1> and <EMAIL_ADDRESS_2>", verdict.Content![0].Text);
        Assert.Equal("again <EMAIL_ADDRESS_1>", verdict.Content[1].Text);
        Assert.Equal(2, state.MaskMap.Count);
        Assert.Equal("masked 3 EMAIL_ADDRESS", verdict.Reason);

        // A later turn of the same run reuses the placeholder.
        var later = await Masking.EvaluateAsync(Text(GuardStage.Ingress, state, "b@x.io"));
        Assert.Equal("<EMAIL_ADDRESS_2>", later.Content![0].Text);
    }

    [Fact]
    public async Task Nothing_found_returns_the_shared_allow()
    {
        var state = NewState();
        var verdict = await Masking.EvaluateAsync(Text(GuardStage.Ingress, state, "Release 1.2.3 ships on 2024-01-15."));
        Assert.Same(Verdict.Allow, verdict);
        Assert.Same(Verdict.Allow, await Masking.EvaluateAsync(Text(GuardStage.Egress, state, "Nothing <EMAIL_ADDRESS_9> here")));
        Assert.Equal(0, state.MaskMap.Count);
    }

    [Fact]
    public async Task Sanitized_messages_are_clones_with_only_the_text_changed()
    {
        var state = NewState();
        var image = new UriContent(new Uri("https://cdn.example/pic.png"), "image/png");
        var message = new ChatMessage(ChatRole.User, [new TextContent("ssn 123-45-6789"), image])
        {
            AuthorName = "jane",
            MessageId = "m-1",
            RawRepresentation = new object(),
        };
        var untouched = new ChatMessage(ChatRole.System, "You are helpful.");

        var verdict = await Masking.EvaluateAsync(Of(GuardStage.Ingress, state, untouched, message));

        Assert.Same(untouched, verdict.Content![0]);
        var clone = verdict.Content[1];
        Assert.NotSame(message, clone);
        Assert.Equal(ChatRole.User, clone.Role);
        Assert.Equal("jane", clone.AuthorName);
        Assert.Equal("m-1", clone.MessageId);
        Assert.Null(clone.RawRepresentation);
        Assert.Equal("ssn <US_SSN_1>", ((TextContent)clone.Contents[0]).Text);
        Assert.Same(image, clone.Contents[1]);
        Assert.Equal("ssn 123-45-6789", message.Text); // the input is not mutated
    }

    [Fact]
    public async Task Tool_results_are_masked()
    {
        var state = NewState();
        var result = new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call-1", "{\"owner\":\"ann@corp.example\"}")]);
        var verdict = await Masking.EvaluateAsync(Of(GuardStage.ToolResult, state, result));

        Assert.Equal(VerdictKind.Sanitize, verdict.Kind);
        var content = Assert.IsType<FunctionResultContent>(verdict.Content![0].Contents[0]);
        Assert.Equal("call-1", content.CallId);
        Assert.Equal("{\"owner\":\"<EMAIL_ADDRESS_1>\"}", content.Result);
    }

    [Fact]
    public async Task Structured_tool_results_are_scanned_as_json()
    {
        var state = NewState();
        var payload = JsonSerializer.SerializeToElement(new { iban = "DE89370400440532013000", n = 3 });
        var verdict = await Masking.EvaluateAsync(Of(GuardStage.ToolResult, state,
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c", payload)])));

        var content = Assert.IsType<FunctionResultContent>(verdict.Content![0].Contents[0]);
        Assert.Equal("{\"iban\":\"<IBAN_CODE_1>\",\"n\":3}", content.Result);
    }

    [Fact]
    public async Task Egress_masks_new_pii_from_the_model_and_keeps_known_values()
    {
        var state = NewState();
        await Masking.EvaluateAsync(Text(GuardStage.Ingress, state, "me: jane@example.com"));

        var verdict = await Masking.EvaluateAsync(Text(GuardStage.Egress, state,
            "Hi <EMAIL_ADDRESS_1> (jane@example.com), also try boss@example.com."));

        Assert.Equal("Hi jane@example.com (jane@example.com), also try <EMAIL_ADDRESS_2>.", verdict.Content![0].Text);
        Assert.Equal("restored 1 placeholder; masked 1 EMAIL_ADDRESS", verdict.Reason);
    }

    [Fact]
    public async Task A_value_the_model_produced_stays_masked_in_every_later_answer_and_its_placeholder_is_never_restored()
    {
        var state = NewState();
        await Masking.EvaluateAsync(Text(GuardStage.Ingress, state, "me: jane@example.com"));
        var first = await Masking.EvaluateAsync(Text(GuardStage.Egress, state, "Write to boss@example.com."));
        Assert.Equal("Write to <EMAIL_ADDRESS_2>.", first.Content![0].Text);

        // A later answer of the same run (after a tool call, or a resume) repeats the value, and the placeholder
        // the caller saw comes back from the model: neither may reveal the model's value.
        var later = await Masking.EvaluateAsync(Text(GuardStage.Egress, state,
            "Again: boss@example.com, that is <EMAIL_ADDRESS_2>; you are <EMAIL_ADDRESS_1>."));

        Assert.Equal("Again: <EMAIL_ADDRESS_2>, that is <EMAIL_ADDRESS_2>; you are jane@example.com.", later.Content![0].Text);
        Assert.Equal("restored 1 placeholder; masked 1 EMAIL_ADDRESS", later.Reason);
        Assert.False(state.MaskMap.TryGetOriginal("<EMAIL_ADDRESS_2>", out _));
        Assert.True(state.MaskMap.ContainsPlaceholder("<EMAIL_ADDRESS_2>"));
    }

    [Fact]
    public async Task A_tool_call_carrying_the_placeholder_of_a_model_value_is_blocked_like_any_placeholder_of_the_run()
    {
        var state = NewState();
        await Masking.EvaluateAsync(Text(GuardStage.Egress, state, "Write to boss@example.com."));
        var call = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "send", new Dictionary<string, object?> { ["to"] = "<EMAIL_ADDRESS_1>" })]);

        var verdict = await Masking.EvaluateAsync(Of(GuardStage.ToolCall, state, call));

        Assert.Equal(VerdictKind.Block, verdict.Kind);
        Assert.Equal(AegisErrors.ToolExfiltration.Code, verdict.Code);
    }

    [Fact]
    public async Task A_refusal_is_restored_and_masked_like_answer_text_and_stays_a_refusal()
    {
        var state = NewState();
        await Masking.EvaluateAsync(Text(GuardStage.Ingress, state, "me: jane@example.com"));
        var refusal = new ErrorContent("No mail to <EMAIL_ADDRESS_1> or boss@example.com.") { ErrorCode = OpenAIConventions.RefusalErrorCode, Details = "policy" };

        var verdict = await Masking.EvaluateAsync(Of(GuardStage.Egress, state, new ChatMessage(ChatRole.Assistant, [refusal])));

        var guarded = Assert.IsType<ErrorContent>(Assert.Single(verdict.Content![0].Contents));
        Assert.Equal("No mail to jane@example.com or <EMAIL_ADDRESS_2>.", guarded.Message);
        Assert.Equal(OpenAIConventions.RefusalErrorCode, guarded.ErrorCode);
        Assert.Equal("policy", guarded.Details);
    }

    [Fact]
    public async Task Block_mode_blocks_ingress_with_types_only()
    {
        var verdict = await Blocking.EvaluateAsync(Text(GuardStage.Ingress, NewState(), "card 4111 1111 1111 1111, mail z@q.io"));

        Assert.Equal(VerdictKind.Block, verdict.Kind);
        Assert.Equal("PII detected: EMAIL_ADDRESS, CREDIT_CARD", verdict.Reason);
        Assert.DoesNotContain("4111", verdict.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("z@q.io", verdict.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Block_verdicts_name_the_types_of_each_text_whatever_was_blocked_before()
    {
        // Block verdicts are shared per set of types: each must still name exactly its own types.
        var both = await Blocking.EvaluateAsync(Text(GuardStage.Ingress, NewState(), "mail z@q.io, card 4111 1111 1111 1111"));
        var mail = await Blocking.EvaluateAsync(Text(GuardStage.Ingress, NewState(), "mail a@b.io"));
        var again = await Blocking.EvaluateAsync(Text(GuardStage.Ingress, NewState(), "card 4111 1111 1111 1111 and y@q.io"));

        Assert.Equal("PII detected: EMAIL_ADDRESS, CREDIT_CARD", both.Reason);
        Assert.Equal("PII detected: EMAIL_ADDRESS", mail.Reason);
        Assert.Same(both, again);
    }

    [Fact]
    public async Task Block_mode_allows_clean_content_and_blocks_egress_pii()
    {
        var state = NewState();
        Assert.Same(Verdict.Allow, await Blocking.EvaluateAsync(Text(GuardStage.Ingress, state, "How do I bake bread?")));

        var verdict = await Blocking.EvaluateAsync(Text(GuardStage.Egress, state, "Ask baker@bread.example"));
        Assert.Equal(VerdictKind.Block, verdict.Kind);
        Assert.Equal("PII detected: EMAIL_ADDRESS", verdict.Reason);
    }

    [Fact]
    public async Task Block_mode_still_restores_placeholders_of_the_run()
    {
        var state = NewState();
        state.MaskMap.GetOrAddPlaceholder("EMAIL_ADDRESS", "x@y.io");
        var verdict = await Blocking.EvaluateAsync(Text(GuardStage.Egress, state, "Done, <EMAIL_ADDRESS_1>."));
        Assert.Equal(VerdictKind.Sanitize, verdict.Kind);
        Assert.Equal("Done, x@y.io.", verdict.Content![0].Text);
    }

    [Theory]
    [InlineData("to", "<EMAIL_ADDRESS_1>")]
    [InlineData("body", "please forward <EMAIL_ADDRESS_1> to the attacker")]
    public async Task Tool_call_carrying_a_placeholder_is_exfiltration(string argument, string value)
    {
        var state = NewState();
        await Masking.EvaluateAsync(Text(GuardStage.Ingress, state, "me: jane@example.com"));
        var call = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "send_mail", new Dictionary<string, object?> { [argument] = value })]);

        var verdict = await Masking.EvaluateAsync(Of(GuardStage.ToolCall, state, call));

        Assert.Equal(VerdictKind.Block, verdict.Kind);
        Assert.Equal("AEG-MCP-004", verdict.Code);
        Assert.Equal(AegisErrors.ToolExfiltration.Code, verdict.Code);
        Assert.DoesNotContain("jane", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tool_call_placeholder_inside_structured_arguments_is_found()
    {
        var state = NewState();
        state.MaskMap.GetOrAddPlaceholder("PHONE_NUMBER", "+44 20 7946 0958");
        var nested = JsonSerializer.SerializeToElement(new { recipients = new[] { new { phone = "<PHONE_NUMBER_1>" } } });
        var call = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "sms", new Dictionary<string, object?> { ["payload"] = nested, ["count"] = 1 })]);

        var verdict = await Masking.EvaluateAsync(Of(GuardStage.ToolCall, state, call));
        Assert.Equal("AEG-MCP-004", verdict.Code);
    }

    [Fact]
    public async Task Tool_call_without_placeholders_is_allowed_in_mask_mode_and_blocked_with_raw_pii_in_block_mode()
    {
        var state = NewState();
        state.MaskMap.GetOrAddPlaceholder("EMAIL_ADDRESS", "x@y.io");
        var call = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup", new Dictionary<string, object?> { ["q"] = "mail ops@corp.example", ["other"] = "<EMAIL_ADDRESS_7>" })]);

        Assert.Same(Verdict.Allow, await Masking.EvaluateAsync(Of(GuardStage.ToolCall, state, call)));

        var blocked = await Blocking.EvaluateAsync(Of(GuardStage.ToolCall, state, call));
        Assert.Equal(VerdictKind.Block, blocked.Kind);
        Assert.Null(blocked.Code);
        Assert.Equal("PII detected: EMAIL_ADDRESS", blocked.Reason);
    }

    [Fact]
    public async Task Deny_list_and_custom_patterns_are_masked_with_their_types()
    {
        var guard = new PiiGuardrail("pii", new PiiGuardrailOptions { DenyList = ["Project Falcon"], Patterns = [@"EMP-\d{6}"] });
        var state = NewState();
        var verdict = await guard.EvaluateAsync(Text(GuardStage.Ingress, state, "EMP-004211 works on project falcon"));
        Assert.Equal("<CUSTOM_1> works on <DENY_LIST_1>", verdict.Content![0].Text);
    }

    [Fact]
    public void Constructor_rejects_invalid_options()
    {
        Assert.Throws<ArgumentException>(() => new PiiGuardrail("p", new PiiGuardrailOptions { Entities = new HashSet<string> { "NAME" } }));
        Assert.Throws<ArgumentException>(() => new PiiGuardrail("p", new PiiGuardrailOptions { DefaultRegion = "ZZ" }));
        Assert.ThrowsAny<ArgumentException>(() => new PiiGuardrail("p", new PiiGuardrailOptions { Patterns = ["(unclosed"] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PiiGuardrail("p", new PiiGuardrailOptions { HoldBack = -1 }));
    }

    [Fact]
    public async Task Default_region_applies_to_national_numbers()
    {
        var uk = new PiiGuardrail("pii", new PiiGuardrailOptions { DefaultRegion = "GB" });
        var state = NewState();
        var verdict = await uk.EvaluateAsync(Text(GuardStage.Ingress, state, "ring 020 7946 0958"));
        Assert.Equal("ring <PHONE_NUMBER_1>", verdict.Content![0].Text);
    }

    [Fact]
    public async Task One_instance_serves_concurrent_runs()
    {
        await Parallel.ForAsync(0, 64, async (i, ct) =>
        {
            var state = NewState();
            var email = $"user{i}@example.com";
            var ingress = await Masking.EvaluateAsync(Text(GuardStage.Ingress, state, $"I am {email}, card 4111 1111 1111 1111"), ct);
            Assert.Equal("I am <EMAIL_ADDRESS_1>, card <CREDIT_CARD_1>", ingress.Content![0].Text);
            var egress = await Masking.EvaluateAsync(Text(GuardStage.Egress, state, "Hi <EMAIL_ADDRESS_1>"), ct);
            Assert.Equal($"Hi {email}", egress.Content![0].Text);
        });
    }
}
