using static Aegis.Core.Tests.Configuration.ConfigurationSamples;

namespace Aegis.Core.Tests.Configuration;

public sealed class GuardrailPackCatalogTests
{
    [Fact]
    public void A_new_catalog_has_no_packs()
    {
        var catalog = new GuardrailPackCatalog();

        Assert.Empty(catalog.Packs);
        Assert.False(catalog.TryResolve("pii", out _, out _));
        Assert.True(catalog.IsKnownMissing("aegis.classification"));
        Assert.False(catalog.IsKnownMissing("toxicity"));
    }

    [Theory]
    [InlineData("pii", "pii")]
    [InlineData("PII", "pii")]
    [InlineData("aegis.pii", "pii")]
    [InlineData("aegis.regex_guard", "injection")]
    public void Resolves_names_and_aliases_case_insensitively(string pack, string canonical)
    {
        Assert.True(Catalog().TryResolve(pack, out var resolved, out var factory));
        Assert.Equal(canonical, resolved);
        Assert.Equal("guard", factory("guard", new GuardrailOptions()).Name);
    }

    [Fact]
    public void Duplicate_names_and_aliases_are_rejected()
    {
        var catalog = Catalog();

        Assert.Contains("'PII'", Throws(AegisErrors.ConfigDuplicate, () => catalog.Register("PII", (n, _) => new NamedGuardrail(n))), StringComparison.Ordinal);
        Throws(AegisErrors.ConfigDuplicate, () => catalog.Register("new", (n, _) => new NamedGuardrail(n), "aegis.pii"));
        Throws(AegisErrors.ConfigDuplicate, () => catalog.AddAlias("regex", "pii"));
        Throws(AegisErrors.ConfigPluginNotFound, () => catalog.AddAlias("x", "nope"));
        Assert.False(catalog.TryResolve("new", out _, out _));
    }

    [Fact]
    public void AddAlias_resolves_to_the_pack()
    {
        var catalog = Catalog().AddAlias("original.regex", "regex");

        Assert.True(catalog.TryResolve("original.regex", out var canonical, out _));
        Assert.Equal("regex", canonical);
        Assert.Equal("regex", catalog.Aliases["original.regex"]);
    }

    [Fact]
    public void Create_builds_through_the_factory_and_maps_failures_to_codes()
    {
        var catalog = Catalog().Register("broken", (_, _) => throw new FormatException("bad pattern"));

        Assert.Equal("screen", catalog.Create("screen", new GuardrailOptions { Pack = "aegis.pii" }).Name);
        Assert.Equal("guardrails.g.pack", Throws(AegisErrors.ConfigMissingField, () => catalog.Create("g", new GuardrailOptions())));
        Throws(AegisErrors.PolicyMissingPack, () => catalog.Create("g", new GuardrailOptions { Pack = "budgets" }));
        Throws(AegisErrors.ConfigPluginNotFound, () => catalog.Create("g", new GuardrailOptions { Pack = "toxicity" }));
        var load = Assert.Throws<AegisException>(() => catalog.Create("g", new GuardrailOptions { Pack = "broken" }));
        Assert.Equal(AegisErrors.ConfigPluginLoad.Code, load.Code);
        Assert.IsType<FormatException>(load.InnerException);
    }
}
