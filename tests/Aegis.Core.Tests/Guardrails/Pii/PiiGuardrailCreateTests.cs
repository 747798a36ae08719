namespace Aegis.Core.Tests.Guardrails.Pii;

public sealed class PiiGuardrailCreateTests
{
    [Theory]
    [InlineData(null, PiiMode.Mask)]
    [InlineData("mask", PiiMode.Mask)]
    [InlineData("BLOCK", PiiMode.Block)]
    [InlineData("Block", PiiMode.Block)]
    public void Mode_is_case_insensitive(string? mode, PiiMode expected)
    {
        var guard = PiiGuardrail.Create("pii", new GuardrailOptions { Pack = "pii", Mode = mode });
        Assert.Equal(expected, guard.Mode);
        Assert.Equal("pii", guard.Name);
    }

    [Fact]
    public void Unknown_mode_is_an_invalid_value()
    {
        var ex = Assert.Throws<AegisException>(() => PiiGuardrail.Create("pii", new GuardrailOptions { Mode = "hide" }));
        Assert.Equal("AEG-CFG-004", ex.Code);
        Assert.Equal("guardrails.pii.mode: 'hide' is not one of mask, block", ex.Detail);
    }

    [Fact]
    public void Unknown_entity_names_its_index()
    {
        var ex = Assert.Throws<AegisException>(() => PiiGuardrail.Create("guard", new GuardrailOptions { Entities = ["email_address", "PERSON"] }));
        Assert.Equal(AegisErrors.ConfigInvalidValue, ex.Error);
        Assert.StartsWith("guardrails.guard.entities[1]: 'PERSON' is not one of", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_pattern_names_its_index()
    {
        var ex = Assert.Throws<AegisException>(() => PiiGuardrail.Create("pii", new GuardrailOptions { Patterns = [@"\d+", "([a-z"] }));
        Assert.Equal("AEG-CFG-004", ex.Code);
        Assert.StartsWith("guardrails.pii.patterns[1]:", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_deny_list_value_names_its_index_not_a_value()
    {
        var ex = Assert.Throws<AegisException>(() => PiiGuardrail.Create("pii", new GuardrailOptions { DenyList = ["Secret Corp", " "] }));
        Assert.Equal("AEG-CFG-004", ex.Code);
        Assert.Equal("guardrails.pii.deny_list[1]: the value is empty", ex.Detail);
        Assert.DoesNotContain("Secret", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<GuardrailOptions, string> ForeignSettings => new()
    {
        { new GuardrailOptions { Verdict = "block" }, "verdict" },
        { new GuardrailOptions { Reason = "r" }, "reason" },
        { new GuardrailOptions { Families = ["override"] }, "families" },
        { new GuardrailOptions { Settings = new() { ["x"] = "y" } }, "settings" },
    };

    [Theory]
    [MemberData(nameof(ForeignSettings))]
    public void Settings_of_other_packs_are_unknown_fields(GuardrailOptions options, string key)
    {
        var ex = Assert.Throws<AegisException>(() => PiiGuardrail.Create("pii", options));
        Assert.Equal("AEG-CFG-002", ex.Code);
        Assert.StartsWith($"guardrails.pii.{key}", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_entities_deny_list_and_patterns_take_effect()
    {
        var guard = PiiGuardrail.Create("pii", new GuardrailOptions
        {
            Mode = "mask",
            Entities = ["url"],
            DenyList = ["Falcon"],
            Patterns = [@"EMP-\d{6}"],
        });
        var state = PiiTestContext.NewState();
        var verdict = await guard.EvaluateAsync(PiiTestContext.Text(GuardStage.Ingress, state, "a@b.io at https://x.org for Falcon EMP-000001"));
        Assert.Equal("a@b.io at <URL_1> for <DENY_LIST_1> <CUSTOM_1>", verdict.Content![0].Text);
    }
}
