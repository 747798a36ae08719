using static Aegis.Core.Tests.Configuration.ConfigurationSamples;

namespace Aegis.Core.Tests.Configuration;

public sealed class AegisOptionsValidatorTests
{
    private const string Providers = """
        providers:
          local:
            type: fake
            echo: true

        """;

    private static string Validate(AegisError error, string yaml, AegisValidationContext? context = null)
    {
        var options = BindYaml(yaml);
        return Throws(error, () => AegisOptionsValidator.Validate(options, context ?? Context()));
    }

    [Fact]
    public void Minimal_configuration_is_valid() => AegisOptionsValidator.Validate(BindYaml(Providers), Context());

    [Fact]
    public void No_provider_at_all_is_a_missing_field()
        => Assert.StartsWith("providers", Validate(AegisErrors.ConfigMissingField, "auth:\n  mode: none\n"), StringComparison.Ordinal);

    [Fact]
    public void A_provider_registered_in_code_is_enough()
        => AegisOptionsValidator.Validate(BindYaml("auth:\n  mode: none\n"), Context(codeProviders: ["mine"]));

    [Fact]
    public void Provider_without_type_is_a_missing_field()
        => Assert.Equal("providers.openai.type", Validate(AegisErrors.ConfigMissingField, "providers:\n  OpenAI:\n    model: gpt-4o\n"));

    [Fact]
    public void Provider_with_unknown_type_is_plugin_not_found()
        => Assert.StartsWith("providers.p.type: 'anthropic' is not a provider type (known: fake, openai, openai_compatible)", Validate(AegisErrors.ConfigPluginNotFound, "providers:\n  p:\n    type: anthropic\n"), StringComparison.Ordinal);

    [Fact]
    public void Openai_compatible_without_base_url_is_a_missing_field()
        => Assert.Equal("providers.p.base_url", Validate(AegisErrors.ConfigMissingField, "providers:\n  p:\n    type: openai_compatible\n"));

    [Theory]
    [InlineData("localhost:8080")]
    [InlineData("ftp://files.example.test/")]
    [InlineData("/v1")]
    public void Base_url_must_be_an_absolute_http_uri(string url)
    {
        var detail = Validate(AegisErrors.ConfigInvalidValue, $"providers:\n  p:\n    type: openai_compatible\n    base_url: '{url}'\n");

        Assert.StartsWith("providers.p.base_url: must be an absolute http", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(url, detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Openai_without_api_key_is_a_missing_field()
        => Assert.Equal("providers.p.api_key", Validate(AegisErrors.ConfigMissingField, "providers:\n  p:\n    type: openai\n"));

    [Fact]
    public void Fake_with_echo_and_reply_is_invalid()
        => Assert.StartsWith("providers.f.reply:", Validate(AegisErrors.ConfigInvalidValue, "providers:\n  f:\n    type: fake\n    echo: true\n    reply: hi\n"), StringComparison.Ordinal);

    [Fact]
    public void Non_positive_timeout_is_invalid()
        => Assert.StartsWith("providers.f.timeout_seconds:", Validate(AegisErrors.ConfigInvalidValue, "providers:\n  f:\n    type: fake\n    timeout_seconds: 0\n"), StringComparison.Ordinal);

    [Fact]
    public void Guardrail_without_pack_is_a_missing_field()
        => Assert.Equal("guardrails.pii.pack", Validate(AegisErrors.ConfigMissingField, Providers + "guardrails:\n  pii:\n    mode: mask\n"));

    [Fact]
    public void Guardrail_with_unknown_pack_is_plugin_not_found()
        => Assert.StartsWith("guardrails.g.pack: 'toxicity'", Validate(AegisErrors.ConfigPluginNotFound, Providers + "guardrails:\n  g:\n    pack: toxicity\n"), StringComparison.Ordinal);

    [Theory]
    [InlineData("aegis.classification")]
    [InlineData("classification")]
    [InlineData("residency")]
    [InlineData("aegis.residency")]
    [InlineData("budgets")]
    [InlineData("aegis.budgets")]
    [InlineData("rate_limit")]
    public void Original_pack_absent_from_this_build_is_a_missing_pack(string pack)
        => Assert.StartsWith($"guardrails.g.pack: '{pack}' is not available", Validate(AegisErrors.PolicyMissingPack, Providers + $"guardrails:\n  g:\n    pack: {pack}\n"), StringComparison.Ordinal);

    [Theory]
    [InlineData("pii")]
    [InlineData("aegis.pii")]
    [InlineData("AEGIS.PII")]
    [InlineData("aegis.regex_guard")]
    [InlineData("regex")]
    public void Packs_and_aliases_of_the_catalog_resolve(string pack)
        => AegisOptionsValidator.Validate(BindYaml(Providers + $"guardrails:\n  g:\n    pack: {pack}\n"), Context());

    [Fact]
    public void A_pack_may_name_a_guardrail_registered_in_code()
        => AegisOptionsValidator.Validate(BindYaml(Providers + "guardrails:\n  g:\n    pack: my_guard\n"), Context(codeGuardrails: ["my_guard"]));

    [Fact]
    public void A_registered_pack_is_no_longer_known_missing()
    {
        var catalog = Catalog().Register("classification", (name, _) => new NamedGuardrail(name));
        var context = AegisValidationContext.FromCatalog(catalog, ["fake"]);

        AegisOptionsValidator.Validate(BindYaml(Providers + "guardrails:\n  g:\n    pack: classification\n"), context);
    }

    [Fact]
    public void Top_level_pipeline_naming_an_undefined_guardrail()
        => Assert.Equal("pipeline.ingress[1]: 'pi' is not defined under guardrails", Validate(AegisErrors.ConfigUnknownGuardrail, Providers + "guardrails:\n  pii:\n    pack: pii\npipeline:\n  ingress: [pii, pi]\n"));

    [Fact]
    public void Route_pipeline_naming_an_undefined_guardrail()
        => Assert.Equal("routes.chat.pipeline.tool_call[0]: 'tools' is not defined under guardrails", Validate(AegisErrors.ConfigUnknownGuardrail, Providers + "routes:\n  chat:\n    pipeline:\n      tool_call: [tools]\n"));

    [Fact]
    public void Pipeline_may_name_a_guardrail_registered_in_code()
        => AegisOptionsValidator.Validate(BindYaml(Providers + "pipeline:\n  egress: [audit_hook]\n"), Context(codeGuardrails: ["Audit_Hook"]));

    [Fact]
    public void Route_without_provider_among_several_is_a_missing_field()
        => Assert.StartsWith("routes.chat.provider", Validate(AegisErrors.ConfigMissingField, Providers + "  other:\n    type: fake\nroutes:\n  chat:\n    model: x\n"), StringComparison.Ordinal);

    [Fact]
    public void Route_without_provider_and_one_provider_is_valid()
        => AegisOptionsValidator.Validate(BindYaml(Providers + "routes:\n  chat:\n    model: x\n"), Context());

    [Fact]
    public void Route_naming_an_undefined_provider()
        => Assert.Equal("routes.chat.provider: 'remote' is not defined under providers", Validate(AegisErrors.ConfigUnknownProvider, Providers + "routes:\n  chat:\n    provider: remote\n"));

    [Fact]
    public void Route_fallback_naming_an_undefined_provider()
        => Assert.Equal("routes.chat.fallback[1]: 'gone' is not defined under providers", Validate(AegisErrors.ConfigUnknownProvider, Providers + "routes:\n  chat:\n    provider: local\n    fallback: [local, gone]\n"));

    [Fact]
    public void Route_may_name_a_provider_registered_in_code()
        => AegisOptionsValidator.Validate(BindYaml(Providers + "routes:\n  chat:\n    provider: mine\n    fallback: [local]\n"), Context(codeProviders: ["mine"]));

    [Theory]
    [InlineData("auth:\n  mode: oauth\n", "auth.mode: 'oauth' is not one of keys, none, host")]
    [InlineData("persistence:\n  type: postgres\n", "persistence.type: 'postgres' is not one of memory, sqlite")]
    [InlineData("rag:\n  chunk_size: 0\n", "rag.chunk_size: must be greater than 0")]
    [InlineData("rag:\n  chunk_size: -5\n", "rag.chunk_size: must be greater than 0")]
    public void Values_outside_their_allowed_set(string yaml, string expectedStart)
        => Assert.StartsWith(expectedStart, Validate(AegisErrors.ConfigInvalidValue, Providers + yaml), StringComparison.Ordinal);

    [Theory]
    [InlineData("auth:\n  mode: host\n")]
    [InlineData("auth:\n  mode: none\n")]
    [InlineData("persistence:\n  type: memory\n")]
    public void Allowed_values_pass(string yaml) => AegisOptionsValidator.Validate(BindYaml(Providers + yaml), Context());

    [Fact]
    public void ValidateAll_returns_every_problem_and_Validate_throws_the_first()
    {
        var options = BindYaml("""
            providers:
              a:
                type: nope
              b:
                type: openai
            guardrails:
              g:
                pack: classification
            pipeline:
              ingress: [missing]
            routes:
              r:
                fallback: [x]
            auth:
              mode: bad
            """);

        var all = AegisOptionsValidator.ValidateAll(options, Context());

        Assert.Equal(
            ["AEG-CFG-022", "AEG-CFG-003", "AEG-POL-002", "AEG-CFG-011", "AEG-CFG-003", "AEG-CFG-010", "AEG-CFG-004"],
            all.Select(e => e.Code));
        var first = Assert.Throws<AegisException>(() => AegisOptionsValidator.Validate(options, Context()));
        Assert.Same(all[0].Error, first.Error);
        Assert.Equal(all[0].Detail, first.Detail);
    }

    [Fact]
    public void Unresolved_base_url_reference_is_not_judged_as_a_url()
        => AegisOptionsValidator.Validate(AegisOptionsBinder.BindUnresolved(FromYaml("providers:\n  p:\n    type: openai_compatible\n    base_url: secret://env/URL\n")), Context());

    [Fact]
    public void Context_sets_are_case_insensitive_even_from_case_sensitive_input()
    {
        var context = new AegisValidationContext
        {
            ProviderTypes = new HashSet<string>(["Fake"], StringComparer.Ordinal),
            GuardrailPacks = new HashSet<string>(["PII"], StringComparer.Ordinal),
            PackAliases = new Dictionary<string, string>(StringComparer.Ordinal) { ["Aegis.Pii"] = "PII" },
        };

        AegisOptionsValidator.Validate(BindYaml("providers:\n  p:\n    type: FAKE\nguardrails:\n  g:\n    pack: aegis.pii\n"), context);
        Assert.Contains("residency", context.MissingPacks);
    }
}
