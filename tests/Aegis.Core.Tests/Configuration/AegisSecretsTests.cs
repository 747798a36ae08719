using static Aegis.Core.Tests.Configuration.ConfigurationSamples;

namespace Aegis.Core.Tests.Configuration;

public sealed class AegisSecretsTests
{
    [Theory]
    [InlineData("secret://env/X", true)]
    [InlineData("SECRET://env/X", true)]
    [InlineData("secret:/env/X", false)]
    [InlineData("sk-live", false)]
    [InlineData(null, false)]
    public void IsReference_recognises_the_prefix(string? value, bool expected) => Assert.Equal(expected, AegisSecrets.IsReference(value));

    [Fact]
    public void Resolves_references_in_every_string_option()
    {
        var env = Lookup(new() { ["A"] = "alpha", ["B"] = "beta", ["C"] = "gamma", ["D"] = "delta" });

        var o = AegisOptionsBinder.Bind(FromYaml("""
            providers:
              p:
                type: openai
                api_key: secret://env/A
                base_url: secret://env/B
            guardrails:
              g:
                pack: mine
                settings:
                  token: secret://env/C
                  plain: text
            persistence:
              encryption_key: secret://env/D
            """), env);

        Assert.Equal("alpha", o.Providers["p"].ApiKey);
        Assert.Equal("beta", o.Providers["p"].BaseUrl);
        Assert.Equal("gamma", o.Guardrails["g"].Settings!["token"]);
        Assert.Equal("text", o.Guardrails["g"].Settings!["plain"]);
        Assert.Equal("delta", o.Persistence.EncryptionKey);
    }

    [Fact]
    public void Resolve_returns_a_copy_and_leaves_the_input_unchanged()
    {
        var options = new AegisOptions();
        options.Providers["p"] = new ProviderOptions { Type = "openai", ApiKey = "secret://env/A" };

        var resolved = AegisSecrets.Resolve(options, Lookup(new() { ["A"] = "alpha" }));

        Assert.Equal("alpha", resolved.Providers["P"].ApiKey);
        Assert.Equal("secret://env/A", options.Providers["p"].ApiKey);
    }

    [Fact]
    public void Unset_variable_names_the_key_path_and_the_variable()
    {
        var detail = Throws(AegisErrors.ConfigSecretUnresolved, () => AegisOptionsBinder.Bind(FromYaml(FullYaml), Lookup(new())));

        Assert.Contains("AEGIS_TEST_", detail, StringComparison.Ordinal);
        Assert.Matches(@"^(providers\.upstream\.(api_key|base_url)|persistence\.encryption_key): environment variable 'AEGIS_TEST_\w+' is not set$", detail);
    }

    [Fact]
    public void Empty_variable_counts_as_unset()
    {
        var detail = Throws(AegisErrors.ConfigSecretUnresolved, () => AegisSecrets.Resolve("secret://env/EMPTY", "persistence.encryption_key", Lookup(new() { ["EMPTY"] = string.Empty })));

        Assert.Equal("persistence.encryption_key: environment variable 'EMPTY' is not set", detail);
    }

    [Theory]
    [InlineData("secret://vault/openai", "unknown secret scheme 'vault'")]
    [InlineData("secret://env/", "names no variable")]
    [InlineData("secret://env", "names no variable")]
    public void Malformed_reference_is_unresolved(string reference, string expected)
    {
        var detail = Throws(AegisErrors.ConfigSecretUnresolved, () => AegisSecrets.Resolve(reference, "providers.openai.api_key", Lookup(new())));

        Assert.StartsWith("providers.openai.api_key: ", detail, StringComparison.Ordinal);
        Assert.Contains(expected, detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_reference_reports_its_settings_path()
    {
        var detail = Throws(AegisErrors.ConfigSecretUnresolved, () => BindYaml("guardrails:\n  g:\n    pack: x\n    settings:\n      auth:\n        token: secret://env/NOPE\n"));

        Assert.Equal("guardrails.g.settings.auth.token: environment variable 'NOPE' is not set", detail);
    }

    [Fact]
    public void FindUnresolved_lists_every_problem()
    {
        var problems = AegisSecrets.FindUnresolved(AegisOptionsBinder.BindUnresolved(FromYaml(FullYaml)), Lookup(new()));

        Assert.Equal(3, problems.Count);
        Assert.All(problems, p => Assert.Equal(AegisErrors.ConfigSecretUnresolved.Code, p.Code));
        Assert.Empty(AegisSecrets.FindUnresolved(AegisOptionsBinder.BindUnresolved(FromYaml(FullYaml)), SampleEnvironment));
    }

    [Fact]
    public void A_secret_value_never_appears_in_any_exception_message()
    {
        var secretEnv = Lookup(new()
        {
            ["AEGIS_TEST_UPSTREAM_URL"] = "http://user:" + UpstreamKey + "@bad url",
            ["AEGIS_TEST_UPSTREAM_KEY"] = UpstreamKey,
            ["AEGIS_TEST_DB_KEY"] = DatabaseKey,
        });
        var failures = new List<Exception>();

        // A literal key in a configuration that fails to bind for another reason.
        failures.Add(Assert.Throws<AegisException>(() => AegisOptionsBinder.Bind(FromYaml($"providers:\n  p:\n    type: openai\n    api_key: {UpstreamKey}\n    echo: perhaps\n"))));

        // Resolved secrets followed by validation failures (a bad base_url that carries the key).
        var options = AegisOptionsBinder.Bind(FromYaml(FullYaml), secretEnv);
        options.Routes["research"].Provider = "nope";
        failures.AddRange(AegisOptionsValidator.ValidateAll(options, Context()));
        Assert.Contains(failures, f => f is AegisException { Code: "AEG-CFG-004" } a && a.Detail!.StartsWith("providers.upstream.base_url", StringComparison.Ordinal));

        // A secret given as settings in the wrong shape, and unresolvable references.
        failures.Add(Assert.Throws<AegisException>(() => BindYaml($"guardrails:\n  g:\n    pack: x\n    settings: {DatabaseKey}\n")));
        failures.AddRange(AegisSecrets.FindUnresolved(AegisOptionsBinder.BindUnresolved(FromYaml(FullYaml)), Lookup(new())));

        Assert.True(failures.Count >= 5);
        foreach (var failure in failures)
        {
            var text = AllMessages(failure);
            Assert.DoesNotContain(UpstreamKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(DatabaseKey, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Redacted_hides_keys_settings_and_url_credentials_but_keeps_references()
    {
        var options = BindYaml(FullYaml);
        options.Providers["upstream"].BaseUrl = "https://user:hunter2@llm.example.test/v1";
        options.Guardrails["injection"].Settings = new() { ["token"] = "t0k3n", ["note"] = "anything" };
        options.Providers["local"].ApiKey = "secret://env/LOCAL_KEY";

        var redacted = options.Redacted();

        Assert.Equal("***", redacted.Providers["upstream"].ApiKey);
        Assert.Equal("***", redacted.Persistence.EncryptionKey);
        Assert.Equal("***", redacted.Guardrails["injection"].Settings!["token"]);
        Assert.Equal("***", redacted.Guardrails["injection"].Settings!["note"]);
        Assert.Equal("https://***@llm.example.test/v1", redacted.Providers["upstream"].BaseUrl);
        Assert.Equal("secret://env/LOCAL_KEY", redacted.Providers["local"].ApiKey);

        // Everything else is copied, and the original is untouched.
        Assert.Equal("llama3.1", redacted.Providers["upstream"].Model);
        Assert.Equal(["pii", "injection", "no-secrets"], redacted.Pipeline.Ingress);
        Assert.Equal(500, redacted.Rag.ChunkSize);
        Assert.Equal("eu", redacted.Providers["upstream"].Residency?.Region);
        Assert.NotSame(options.Pipeline.Ingress, redacted.Pipeline.Ingress);
        Assert.Equal(UpstreamKey, options.Providers["upstream"].ApiKey);
        Assert.True(redacted.Providers.ContainsKey("UPSTREAM"));
    }
}
