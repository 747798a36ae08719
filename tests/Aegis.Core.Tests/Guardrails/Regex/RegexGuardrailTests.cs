using Microsoft.Extensions.AI;

namespace Aegis.Core.Tests.Guardrails.Regex;

public sealed class RegexGuardrailTests
{
    private static GuardrailContext Context(GuardStage stage, params ChatMessage[] messages) =>
        new(stage, messages, new RunState("run-1", "default", Principal.Local));

    private static RegexGuardrail Guard(string verdict, string? reason = null, params string[] patterns) =>
        RegexGuardrail.Create("secrets", new GuardrailOptions { Pack = "regex", Patterns = [.. patterns], Verdict = verdict, Reason = reason });

    [Fact]
    public async Task Block_on_a_match_with_the_default_reason_naming_the_pattern_index()
    {
        var guard = Guard("block", null, @"\bproject\s+falcon\b", @"sk-[A-Za-z0-9]{20,}");

        var verdict = await guard.EvaluateAsync(Context(GuardStage.Ingress, new ChatMessage(ChatRole.User, "my key is sk-abcdefghijklmnopqrstuvwxyz")));

        Assert.Equal(VerdictKind.Block, verdict.Kind);
        Assert.Equal("matched pattern 1", verdict.Reason);
        Assert.DoesNotContain("sk-abc", verdict.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Block_is_the_default_verdict_and_uses_the_configured_reason()
    {
        var guard = RegexGuardrail.Create("g", new GuardrailOptions { Patterns = ["(?i)confidential"], Reason = "confidential material" });

        var verdict = await guard.EvaluateAsync(Context(GuardStage.Egress, new ChatMessage(ChatRole.Assistant, "This is CONFIDENTIAL.")));

        Assert.Equal(VerdictKind.Block, verdict.Kind);
        Assert.Equal("confidential material", verdict.Reason);
    }

    [Fact]
    public async Task Require_approval_on_a_match()
    {
        var guard = Guard("require_approval", "wire transfer needs a human", @"\bwire\s+\$?\d+");

        var verdict = await guard.EvaluateAsync(Context(GuardStage.ToolCall, new ChatMessage(ChatRole.Assistant, "I will wire $5000 now")));

        Assert.Equal(VerdictKind.RequireApproval, verdict.Kind);
        Assert.Equal("wire transfer needs a human", verdict.Reason);
    }

    [Fact]
    public async Task Require_approval_default_reason()
    {
        var guard = Guard("require_approval", null, "alpha", "beta");

        var verdict = await guard.EvaluateAsync(Context(GuardStage.Ingress, new ChatMessage(ChatRole.User, "beta")));

        Assert.Equal("matched pattern 1", verdict.Reason);
    }

    [Fact]
    public async Task No_match_returns_the_shared_allow_for_every_verdict_kind()
    {
        foreach (var kind in new[] { "block", "sanitize", "require_approval" })
        {
            var guard = Guard(kind, null, "forbidden", "also-forbidden");

            var verdict = await guard.EvaluateAsync(Context(GuardStage.Ingress, new ChatMessage(ChatRole.System, "be nice"), new ChatMessage(ChatRole.User, "hello there")));

            Assert.Same(Verdict.Allow, verdict);
        }
    }

    [Fact]
    public async Task Every_message_is_scanned_including_the_system_message()
    {
        var guard = Guard("block", null, "internal-only");

        var verdict = await guard.EvaluateAsync(Context(GuardStage.Ingress, new ChatMessage(ChatRole.System, "internal-only data"), new ChatMessage(ChatRole.User, "hi")));

        Assert.Equal(VerdictKind.Block, verdict.Kind);
    }

    [Fact]
    public async Task Sanitize_replaces_matches_of_every_pattern_and_keeps_roles_and_other_contents()
    {
        var guard = Guard("sanitize", null, @"\d{3}-\d{2}-\d{4}", @"(?i)password:\s*\S+");
        var image = new DataContent(new byte[] { 1, 2, 3 }, "image/png");
        var system = new ChatMessage(ChatRole.System, "You are helpful.");
        var user = new ChatMessage(ChatRole.User, [new TextContent("SSN 123-45-6789 and Password: hunter2"), image, new TextContent("nothing here")])
        {
            AuthorName = "alice",
            MessageId = "m-2",
        };
        var content = new[] { system, user };

        var verdict = await guard.EvaluateAsync(Context(GuardStage.Ingress, content));

        Assert.Equal(VerdictKind.Sanitize, verdict.Kind);
        Assert.Equal("matched pattern 0", verdict.Reason);
        var messages = verdict.Content!;
        Assert.Equal(2, messages.Count);
        Assert.Same(system, messages[0]);
        var sanitized = messages[1];
        Assert.NotSame(user, sanitized);
        Assert.Equal(ChatRole.User, sanitized.Role);
        Assert.Equal("alice", sanitized.AuthorName);
        Assert.Equal("m-2", sanitized.MessageId);
        Assert.Equal(3, sanitized.Contents.Count);
        Assert.Equal("SSN [REDACTED] and [REDACTED]", ((TextContent)sanitized.Contents[0]).Text);
        Assert.Same(image, sanitized.Contents[1]);
        Assert.Equal("nothing here", ((TextContent)sanitized.Contents[2]).Text);

        // The scanned input is not changed.
        Assert.Equal("SSN 123-45-6789 and Password: hunter2", ((TextContent)user.Contents[0]).Text);
    }

    [Fact]
    public async Task Sanitize_uses_the_replacement_literally_and_the_configured_reason()
    {
        var guard = new RegexGuardrail("g", new RegexGuardrailOptions
        {
            Patterns = ["(a)(b)"],
            Verdict = VerdictKind.Sanitize,
            Replacement = "$1<cut>",
            Reason = "cut ab",
        });

        var verdict = await guard.EvaluateAsync(Context(GuardStage.Egress, new ChatMessage(ChatRole.Assistant, "xaby")));

        Assert.Equal("cut ab", verdict.Reason);
        Assert.Equal("x$1<cut>y", verdict.Content![0].Text);
    }

    [Fact]
    public async Task Sanitize_rewrites_string_tool_results_and_keeps_the_call_id()
    {
        var guard = Guard("sanitize", null, @"token=\w+");
        var tool = new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call-7", "ok token=abc123 done")]);

        var verdict = await guard.EvaluateAsync(Context(GuardStage.ToolResult, tool));

        var result = Assert.IsType<FunctionResultContent>(Assert.Single(verdict.Content![0].Contents));
        Assert.Equal("call-7", result.CallId);
        Assert.Equal("ok [REDACTED] done", result.Result);
        Assert.Equal(ChatRole.Tool, verdict.Content[0].Role);
    }

    [Fact]
    public async Task A_match_timeout_counts_as_a_match()
    {
        var evil = new string('a', 40) + "!";
        var block = new RegexGuardrail("slow", new RegexGuardrailOptions { Patterns = ["^(a+)+$"], MatchTimeout = TimeSpan.FromMilliseconds(10) });
        var sanitize = new RegexGuardrail("slow", new RegexGuardrailOptions { Patterns = ["^(a+)+$"], Verdict = VerdictKind.Sanitize, MatchTimeout = TimeSpan.FromMilliseconds(10) });

        var blocked = await block.EvaluateAsync(Context(GuardStage.Ingress, new ChatMessage(ChatRole.User, evil)));
        var sanitized = await sanitize.EvaluateAsync(Context(GuardStage.Ingress, new ChatMessage(ChatRole.User, evil)));

        Assert.Equal(VerdictKind.Block, blocked.Kind);
        Assert.Equal(VerdictKind.Sanitize, sanitized.Kind);
        Assert.Equal("[REDACTED]", sanitized.Content![0].Text);
    }

    [Fact]
    public void Is_not_incremental()
    {
        Assert.IsNotAssignableFrom<IIncrementalGuardrail>(Guard("block", null, "x"));
    }

    [Fact]
    public void Original_pack_settings_bind_name_and_defaults()
    {
        var guard = RegexGuardrail.Create("legacy", new GuardrailOptions { Pack = "aegis.regex_guard", Patterns = ["x"] });

        Assert.Equal("legacy", guard.Name);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Missing_patterns_are_a_missing_field(bool emptyList)
    {
        var options = new GuardrailOptions { Pack = "regex", Patterns = emptyList ? [] : null };

        var ex = Assert.Throws<AegisException>(() => RegexGuardrail.Create("rx", options));

        Assert.Equal(AegisErrors.ConfigMissingField.Code, ex.Code);
        Assert.Equal("guardrails.rx.patterns", ex.Detail);
    }

    [Fact]
    public void An_invalid_pattern_is_an_invalid_value_naming_the_index_without_echoing_it()
    {
        var huge = "(" + new string('x', 5000);

        var ex = Assert.Throws<AegisException>(() => RegexGuardrail.Create("rx", new GuardrailOptions { Patterns = ["ok", huge] }));

        Assert.Equal(AegisErrors.ConfigInvalidValue.Code, ex.Code);
        Assert.StartsWith("guardrails.rx.patterns[1]: not a valid regular expression", ex.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("xxxxxxxx", ex.Message, StringComparison.Ordinal);
        Assert.Null(ex.InnerException);
    }

    [Fact]
    public void An_empty_pattern_is_an_invalid_value()
    {
        var ex = Assert.Throws<AegisException>(() => RegexGuardrail.Create("rx", new GuardrailOptions { Patterns = ["a", ""] }));

        Assert.Equal(AegisErrors.ConfigInvalidValue.Code, ex.Code);
        Assert.StartsWith("guardrails.rx.patterns[1]:", ex.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("allow")]
    [InlineData("deny")]
    [InlineData("Block")]
    public void An_unknown_verdict_is_an_invalid_value(string verdict)
    {
        var ex = Assert.Throws<AegisException>(() => RegexGuardrail.Create("rx", new GuardrailOptions { Patterns = ["a"], Verdict = verdict }));

        Assert.Equal(AegisErrors.ConfigInvalidValue.Code, ex.Code);
        Assert.Equal($"guardrails.rx.verdict: '{verdict}' is not one of block, sanitize, require_approval", ex.Detail);
    }

    [Fact]
    public void Allow_in_code_options_is_an_invalid_value()
    {
        var ex = Assert.Throws<AegisException>(() => new RegexGuardrail("rx", new RegexGuardrailOptions { Patterns = ["a"], Verdict = VerdictKind.Allow }));

        Assert.Equal(AegisErrors.ConfigInvalidValue.Code, ex.Code);
        Assert.StartsWith("guardrails.rx.verdict:", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_reason_is_an_invalid_value()
    {
        var ex = Assert.Throws<AegisException>(() => RegexGuardrail.Create("rx", new GuardrailOptions { Patterns = ["a"], Reason = " " }));

        Assert.Equal(AegisErrors.ConfigInvalidValue.Code, ex.Code);
        Assert.Equal("guardrails.rx.reason: must not be empty", ex.Detail);
    }

    public static TheoryData<string, GuardrailOptions> ForeignSettings() => new()
    {
        { "mode", new GuardrailOptions { Mode = "mask" } },
        { "entities", new GuardrailOptions { Entities = ["EMAIL_ADDRESS"] } },
        { "deny_list", new GuardrailOptions { DenyList = ["secret"] } },
        { "families", new GuardrailOptions { Families = ["prompt_leak"] } },
        { "settings", new GuardrailOptions { Settings = new Dictionary<string, string?> { ["x"] = "y" } } },
    };

    [Theory]
    [MemberData(nameof(ForeignSettings))]
    public void Settings_of_other_packs_are_unknown_fields(string key, GuardrailOptions options)
    {
        options.Patterns = ["a"];

        var ex = Assert.Throws<AegisException>(() => RegexGuardrail.Create("rx", options));

        Assert.Equal(AegisErrors.ConfigUnknownField.Code, ex.Code);
        Assert.StartsWith($"guardrails.rx.{key}:", ex.Detail, StringComparison.Ordinal);
    }
}
