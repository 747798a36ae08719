using System.Globalization;

namespace Aegis.LoadTest;

/// <summary>The generated <c>aegis.yaml</c>: provider <c>openai_compatible</c> → the mock; route <c>default</c> governed, route <c>passthrough</c> with no guards.</summary>
internal static class GatewayConfig
{
    public const string GovernedRoute = "default";
    public const string PassthroughRoute = "passthrough";

    public static string Yaml(Uri upstream, string dbPath, bool memoryStore = false) => string.Create(CultureInfo.InvariantCulture, $"""
        providers:
          mock:
            type: openai_compatible
            base_url: {upstream}
            api_key: sk-loadtest-not-a-secret
            model: mock-model
            timeout_seconds: 30

        guardrails:
          pii:
            pack: pii
            mode: mask
          injection:
            pack: injection

        pipeline:
          ingress: [pii, injection]
          egress: [pii]

        routes:
          {GovernedRoute}:
            provider: mock
          {PassthroughRoute}:
            provider: mock
            pipeline:
              ingress: []
              tool_call: []
              tool_result: []
              egress: []

        auth:
          mode: keys

        {(memoryStore ? "" : "persistence:\n  type: sqlite\n  path: " + dbPath)}
        """);
}
