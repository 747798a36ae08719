using Microsoft.Extensions.Configuration;

namespace Aegis.Core.Tests.Configuration;

/// <summary>The full example configuration and helpers shared by the configuration tests.</summary>
internal static class ConfigurationSamples
{
    public const string UpstreamKey = "sk-test-Zq81-NEVER-SHOWN";
    public const string DatabaseKey = "db-key-Wv55-NEVER-SHOWN";

    public const string FullYaml = """
        providers:
          local:
            type: fake
            echo: true
          upstream:
            type: openai_compatible
            base_url: secret://env/AEGIS_TEST_UPSTREAM_URL
            api_key: secret://env/AEGIS_TEST_UPSTREAM_KEY
            model: llama3.1
            timeout_seconds: 30.5
            residency:
              region: eu

        guardrails:
          pii:
            pack: aegis.pii
            mode: mask
            entities: [EMAIL_ADDRESS, PHONE_NUMBER]
            deny_list:
              - Project Bluebird
          injection:
            pack: injection
            families: [instruction_override, prompt_leak]
          no-secrets:
            pack: regex
            patterns:
              - 'sk-[A-Za-z0-9]{20,}'
            verdict: block
            reason: API key in prompt

        pipeline:
          ingress: [pii, injection, no-secrets]
          tool_result: [injection]
          egress: [pii]

        routes:
          chat:
            provider: local
          research:
            provider: upstream
            model: llama3.1:70b
            fallback: [local]
            principals: [alice]
            teams: [research]
            regions: [eu]
            pipeline:
              ingress: [pii]
              egress: []

        auth:
          mode: keys
        persistence:
          type: sqlite
          path: data/aegis.db
          encryption_key: secret://env/AEGIS_TEST_DB_KEY
        rag:
          enabled: true
          default_namespace: docs
          chunk_size: 500
        telemetry:
          metrics: false
          service_name: aegis-test
        """;

    /// <summary>The environment the example's secret references resolve from.</summary>
    public static Func<string, string?> SampleEnvironment { get; } = Lookup(new()
    {
        ["AEGIS_TEST_UPSTREAM_URL"] = "http://127.0.0.1:11434/v1",
        ["AEGIS_TEST_UPSTREAM_KEY"] = UpstreamKey,
        ["AEGIS_TEST_DB_KEY"] = DatabaseKey,
    });

    public static Func<string, string?> Lookup(Dictionary<string, string?> variables) => name => variables.GetValueOrDefault(name);

    public static IConfigurationRoot FromYaml(string yaml) => new ConfigurationBuilder().AddAegisYaml(yaml).Build();

    public static IConfigurationRoot FromPairs(params (string Key, string? Value)[] pairs)
        => new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    public static AegisOptions BindYaml(string yaml) => AegisOptionsBinder.Bind(FromYaml(yaml), SampleEnvironment);

    /// <summary>A catalog with test packs under the built-in names and the original's aliases.</summary>
    public static GuardrailPackCatalog Catalog()
        => new GuardrailPackCatalog()
            .Register("pii", (name, _) => new NamedGuardrail(name), "aegis.pii")
            .Register("injection", (name, _) => new NamedGuardrail(name), "aegis.regex_guard")
            .Register("regex", (name, _) => new NamedGuardrail(name));

    public static AegisValidationContext Context(IEnumerable<string>? codeGuardrails = null, IEnumerable<string>? codeProviders = null)
        => AegisValidationContext.FromCatalog(Catalog(), ["fake", "openai", "openai_compatible"], codeGuardrails, codeProviders);

    /// <summary>Asserts that <paramref name="action"/> throws <paramref name="error"/> and returns the detail.</summary>
    public static string Throws(AegisError error, Action action)
    {
        var ex = Assert.Throws<AegisException>(action);
        Assert.Equal(error.Code, ex.Code);
        Assert.NotNull(ex.Detail);
        return ex.Detail!;
    }

    /// <summary>Every message of <paramref name="ex"/> and its inner exceptions.</summary>
    public static string AllMessages(Exception ex)
    {
        var text = new System.Text.StringBuilder();
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            text.AppendLine(e.Message).AppendLine(e.ToString());
        }

        return text.ToString();
    }

    internal sealed class NamedGuardrail(string name) : IGuardrail
    {
        public string Name { get; } = name;

        public ValueTask<Verdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken = default) => ValueTask.FromResult(Verdict.Allow);
    }
}
