using Microsoft.Extensions.Configuration;
using static Aegis.Core.Tests.Configuration.ConfigurationSamples;

namespace Aegis.Core.Tests.Configuration;

public sealed class AegisOptionsBinderTests
{
    [Fact]
    public void Full_example_binds_to_the_expected_values()
    {
        var o = BindYaml(FullYaml);

        Assert.Equal(["local", "upstream"], o.Providers.Keys.Order(StringComparer.Ordinal));
        var local = o.Providers["local"];
        Assert.Equal("fake", local.Type);
        Assert.True(local.Echo);
        var upstream = o.Providers["UPSTREAM"];
        Assert.Equal("openai_compatible", upstream.Type);
        Assert.Equal("http://127.0.0.1:11434/v1", upstream.BaseUrl);
        Assert.Equal(UpstreamKey, upstream.ApiKey);
        Assert.Equal("llama3.1", upstream.Model);
        Assert.Equal(30.5, upstream.TimeoutSeconds);
        Assert.Equal("eu", upstream.Residency?.Region);

        Assert.Equal(3, o.Guardrails.Count);
        Assert.Equal("aegis.pii", o.Guardrails["pii"].Pack);
        Assert.Equal("mask", o.Guardrails["pii"].Mode);
        Assert.Equal(["EMAIL_ADDRESS", "PHONE_NUMBER"], o.Guardrails["pii"].Entities);
        Assert.Equal(["Project Bluebird"], o.Guardrails["pii"].DenyList);
        Assert.Equal(["instruction_override", "prompt_leak"], o.Guardrails["injection"].Families);
        Assert.Equal(["sk-[A-Za-z0-9]{20,}"], o.Guardrails["no-secrets"].Patterns);
        Assert.Equal("block", o.Guardrails["no-secrets"].Verdict);
        Assert.Equal("API key in prompt", o.Guardrails["no-secrets"].Reason);

        Assert.Equal(["pii", "injection", "no-secrets"], o.Pipeline.Ingress);
        Assert.Null(o.Pipeline.ToolCall);
        Assert.Equal(["injection"], o.Pipeline.ToolResult);
        Assert.Equal(["pii"], o.Pipeline.Egress);

        Assert.Equal("local", o.Routes["chat"].Provider);
        Assert.Null(o.Routes["chat"].Pipeline);
        var research = o.Routes["research"];
        Assert.Equal("upstream", research.Provider);
        Assert.Equal("llama3.1:70b", research.Model);
        Assert.Equal(["local"], research.Fallback);
        Assert.Equal(["alice"], research.Principals);
        Assert.Equal(["research"], research.Teams);
        Assert.Equal(["eu"], research.Regions);
        Assert.Equal(["pii"], research.Pipeline?.Ingress);
        Assert.NotNull(research.Pipeline?.Egress);
        Assert.Empty(research.Pipeline!.Egress!);
        Assert.Null(research.Pipeline.ToolResult);

        Assert.Equal("keys", o.Auth.Mode);
        Assert.Equal("sqlite", o.Persistence.Type);
        Assert.Equal("data/aegis.db", o.Persistence.Path);
        Assert.Equal(DatabaseKey, o.Persistence.EncryptionKey);
        Assert.True(o.Rag.Enabled);
        Assert.Equal("docs", o.Rag.DefaultNamespace);
        Assert.Equal(500, o.Rag.ChunkSize);
        Assert.False(o.Telemetry.Metrics);
        Assert.Equal("aegis-test", o.Telemetry.ServiceName);

        AegisOptionsValidator.Validate(o, Context());
    }

    [Fact]
    public void Appsettings_shaped_keys_bind_the_same_values()
    {
        var config = FromPairs(
            ("Aegis:Providers:local:Type", "fake"),
            ("Aegis:Providers:local:Echo", "True"),
            ("Aegis:Providers:upstream:type", "openai_compatible"),
            ("Aegis:Providers:upstream:base_url", "secret://env/AEGIS_TEST_UPSTREAM_URL"),
            ("Aegis:Providers:upstream:api_key", "secret://env/AEGIS_TEST_UPSTREAM_KEY"),
            ("Aegis:Providers:upstream:Residency:Region", "eu"),
            ("Aegis:Guardrails:pii:Pack", "pii"),
            ("Aegis:Guardrails:pii:deny_list:0", "Project Bluebird"),
            ("Aegis:Pipeline:Ingress:0", "pii"),
            ("Aegis:Pipeline:tool_result:0", "pii"),
            ("Aegis:Routes:research:Provider", "upstream"),
            ("Aegis:Routes:research:Fallback:0", "local"),
            ("Aegis:Routes:research:Pipeline:Egress:0", "pii"),
            ("Aegis:Persistence:encryption_key", "secret://env/AEGIS_TEST_DB_KEY"),
            ("Aegis:Rag:chunk_size", "500"),
            ("Aegis:Telemetry:service_name", "aegis-test"));

        var o = AegisOptionsBinder.Bind(config, SampleEnvironment);

        Assert.True(o.Providers["local"].Echo);
        Assert.Equal("http://127.0.0.1:11434/v1", o.Providers["upstream"].BaseUrl);
        Assert.Equal(UpstreamKey, o.Providers["upstream"].ApiKey);
        Assert.Equal("eu", o.Providers["upstream"].Residency?.Region);
        Assert.Equal(["Project Bluebird"], o.Guardrails["pii"].DenyList);
        Assert.Equal(["pii"], o.Pipeline.ToolResult);
        Assert.Equal(["local"], o.Routes["research"].Fallback);
        Assert.Equal(["pii"], o.Routes["research"].Pipeline?.Egress);
        Assert.Equal(DatabaseKey, o.Persistence.EncryptionKey);
        Assert.Equal(500, o.Rag.ChunkSize);
        Assert.Equal("aegis-test", o.Telemetry.ServiceName);
    }

    [Fact]
    public void Environment_variable_shaped_keys_bind_and_override_yaml()
    {
        var config = new ConfigurationBuilder()
            .AddAegisYaml(FullYaml)
            .AddInMemoryCollection([new("AEGIS:ROUTES:DEFAULT:MODEL", "gpt-4o"), new("AEGIS:ROUTES:DEFAULT:PROVIDER", "local")])
            .Build();

        var o = AegisOptionsBinder.Bind(config, SampleEnvironment);

        Assert.Equal("gpt-4o", o.Routes["default"].Model);
        Assert.Equal("local", o.Routes["default"].Provider);
        Assert.Equal(3, o.Routes.Count);
    }

    [Fact]
    public void Real_environment_variables_bind_through_the_environment_provider()
    {
        var prefix = "AEGISCFGTEST_" + Guid.NewGuid().ToString("N") + "_";
        var variable = prefix + "AEGIS__ROUTES__DEFAULT__MODEL";
        System.Environment.SetEnvironmentVariable(variable, "gpt-4o");
        try
        {
            var config = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();

            var o = AegisOptionsBinder.Bind(config, SampleEnvironment);

            Assert.Equal("gpt-4o", o.Routes["default"].Model);
        }
        finally
        {
            System.Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void A_section_is_read_as_the_Aegis_section_itself()
    {
        var config = FromPairs(("MyApp:Gateway:auth:mode", "none"), ("Aegis:auth:mode", "host"));

        Assert.Equal("none", AegisOptionsBinder.Bind(config.GetSection("MyApp:Gateway")).Auth.Mode);
        Assert.Equal("host", AegisOptionsBinder.Bind(config).Auth.Mode);
        Assert.Equal("host", AegisOptionsBinder.Bind(config.GetSection("Aegis")).Auth.Mode);
    }

    [Fact]
    public void Keys_outside_the_Aegis_section_are_not_checked()
    {
        var config = FromPairs(("Logging:LogLevel:Default", "Information"), ("Aegis:auth:mode", "keys"));

        Assert.Equal("keys", AegisOptionsBinder.Bind(config).Auth.Mode);
    }

    [Theory]
    [InlineData("provider:\n  x: 1\n", "provider")]
    [InlineData("providers:\n  openai:\n    type: openai\n    base_ur: https://x.test\n", "providers.openai.base_ur")]
    [InlineData("providers:\n  OpenAI:\n    Residency:\n      zone: eu\n", "providers.openai.residency.zone")]
    [InlineData("guardrails:\n  pii:\n    pack: pii\n    threshold: 3\n", "guardrails.pii.threshold")]
    [InlineData("pipeline:\n  ingres: [pii]\n", "pipeline.ingres")]
    [InlineData("routes:\n  chat:\n    pipeline:\n      egres: [pii]\n", "routes.chat.pipeline.egres")]
    [InlineData("routes:\n  chat:\n    providers: [a]\n", "routes.chat.providers")]
    [InlineData("auth:\n  mode: keys\n  keys: []\n", "auth.keys")]
    [InlineData("rag:\n  chunksize: 10\n", "rag.chunksize")]
    [InlineData("telemetry:\n  serviceName: x\n", "telemetry.servicename")]
    public void Unknown_field_names_its_full_key_path(string yaml, string path)
    {
        Assert.Equal(path, Throws(AegisErrors.ConfigUnknownField, () => BindYaml(yaml)));
    }

    [Fact]
    public void Property_names_without_their_snake_case_key_are_unknown()
    {
        var config = FromPairs(("Aegis:Providers:openai:BaseUrl", "https://x.test"));

        Assert.Equal("providers.openai.baseurl", Throws(AegisErrors.ConfigUnknownField, () => AegisOptionsBinder.Bind(config)));
    }

    [Theory]
    [InlineData("providers:\n  f:\n    type: fake\n    echo: maybe\n", "providers.f.echo: 'maybe' is not a boolean")]
    [InlineData("rag:\n  chunk_size: big\n", "rag.chunk_size: 'big' is not an integer")]
    [InlineData("rag:\n  enabled: yes\n", "rag.enabled: 'yes' is not a boolean")]
    [InlineData("providers:\n  f:\n    timeout_seconds: soon\n", "providers.f.timeout_seconds: 'soon' is not a number")]
    [InlineData("pipeline: pii\n", "pipeline: expected a mapping")]
    [InlineData("providers: openai\n", "providers: expected a mapping")]
    [InlineData("providers:\n  openai: fast\n", "providers.openai: expected a mapping")]
    [InlineData("pipeline:\n  ingress: pii\n", "pipeline.ingress: expected a list")]
    [InlineData("pipeline:\n  ingress:\n    first: pii\n", "pipeline.ingress: expected a list")]
    [InlineData("auth:\n  mode:\n    - keys\n", "auth.mode: expected a string")]
    [InlineData("routes:\n  r:\n    fallback:\n      - [a, b]\n", "routes.r.fallback[0]: expected a string")]
    public void Wrong_value_type_names_the_key_path(string yaml, string expectedStart)
    {
        Assert.StartsWith(expectedStart, Throws(AegisErrors.ConfigInvalidValue, () => BindYaml(yaml)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_in_the_wrong_shape_is_not_shown()
    {
        var yaml = $"""
            providers:
              openai:
                api_key:
                  value: {UpstreamKey}
            """;

        var ex = Assert.Throws<AegisException>(() => BindYaml(yaml));

        Assert.Equal(AegisErrors.ConfigInvalidValue.Code, ex.Code);
        Assert.StartsWith("providers.openai.api_key:", ex.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(UpstreamKey, AllMessages(ex), StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_given_as_a_single_value_are_not_shown()
    {
        var yaml = $"""
            guardrails:
              custom:
                pack: mine
                settings: {UpstreamKey}
            """;

        var ex = Assert.Throws<AegisException>(() => BindYaml(yaml));

        Assert.Equal(AegisErrors.ConfigInvalidValue.Code, ex.Code);
        Assert.StartsWith("guardrails.custom.settings: expected a mapping", ex.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(UpstreamKey, AllMessages(ex), StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_are_free_form_and_flattened()
    {
        var o = BindYaml("""
            guardrails:
              custom:
                pack: mine
                settings:
                  threshold: 3
                  limits:
                    high: 10
                  words: [a, b]
                  AnyKey_At-All: yes
            """);

        var settings = o.Guardrails["custom"].Settings!;
        Assert.Equal("3", settings["threshold"]);
        Assert.Equal("10", settings["limits:high"]);
        Assert.Equal("a", settings["words:0"]);
        Assert.Equal("b", settings["words:1"]);
        Assert.Equal("yes", settings["anykey_at-all"]);
        Assert.Equal(5, settings.Count);
    }

    [Fact]
    public void A_present_but_empty_stage_is_an_empty_list_and_an_absent_one_is_null()
    {
        var o = BindYaml("""
            pipeline:
              ingress: []
              egress:
            """);

        Assert.Empty(o.Pipeline.Ingress!);
        Assert.Empty(o.Pipeline.Egress!);
        Assert.Null(o.Pipeline.ToolCall);
    }

    [Fact]
    public void A_name_with_no_keys_still_becomes_an_entry()
    {
        var o = AegisOptionsBinder.BindUnresolved(FromYaml("providers:\n  openai:\nroutes:\n  chat: {}\n"));

        Assert.True(o.Providers.ContainsKey("OPENAI"));
        Assert.Null(o.Providers["openai"].Type);
        Assert.True(o.Routes.ContainsKey("chat"));
    }

    [Fact]
    public void Names_are_case_insensitive_after_binding()
    {
        var o = BindYaml("providers:\n  OpenAI:\n    type: fake\n");

        Assert.True(o.Providers.ContainsKey("openai"));
        Assert.True(o.Providers.ContainsKey("OPENAI"));
    }

    [Fact]
    public void Empty_configuration_binds_defaults()
    {
        var o = AegisOptionsBinder.Bind(new ConfigurationBuilder().Build());

        Assert.Empty(o.Providers);
        Assert.Null(o.Auth.Mode);
        Assert.NotNull(o.Pipeline);
    }

    [Fact]
    public void Bind_resolves_secrets_and_BindUnresolved_keeps_references()
    {
        var config = FromYaml(FullYaml);

        Assert.Equal(UpstreamKey, AegisOptionsBinder.Bind(config, SampleEnvironment).Providers["upstream"].ApiKey);
        Assert.Equal("secret://env/AEGIS_TEST_UPSTREAM_KEY", AegisOptionsBinder.BindUnresolved(config).Providers["upstream"].ApiKey);
    }
}
