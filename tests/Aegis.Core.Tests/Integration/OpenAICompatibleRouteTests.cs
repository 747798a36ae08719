using System.Text.Json.Nodes;
using Aegis.Core.Tests.Engine;
using Aegis.Core.Tests.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Aegis.Core.Tests.Integration;

/// <summary>A route on an <c>openai_compatible</c> provider, through the official SDK, against a loopback upstream speaking the real wire protocol.</summary>
public sealed class OpenAICompatibleRouteTests
{
    [Fact]
    public async Task Governed_run_sends_placeholders_upstream_and_restores_them_for_the_caller()
    {
        await using var upstream = await FakeOpenAIUpstream.StartAsync();
        upstream.ReplyText = "I will write to <EMAIL_ADDRESS_1> today.";
        Environment.SetEnvironmentVariable("AEGIS_TEST_UPSTREAM_KEY", "sk-test-not-a-real-key");
        var yaml = $"""
            providers:
              upstream:
                type: openai_compatible
                base_url: {upstream.BaseUrl}
                api_key: secret://env/AEGIS_TEST_UPSTREAM_KEY
                model: small-model
            guardrails:
              pii:
                pack: pii
            pipeline:
              ingress: [pii]
              egress: [pii]
            """;
        var services = new ServiceCollection();
        services.AddAegis(new ConfigurationBuilder().AddAegisYaml(yaml).Build());
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<AegisEngine>();

        var result = await engine.RunAsync(EngineHarness.Ask("Please email jane.doe@example.com"));

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("I will write to jane.doe@example.com today.", result.Response!.Text);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("small-model", (string?)sent.Body["model"]);
        Assert.Equal("Bearer sk-test-not-a-real-key", sent.Authorization);
        var content = sent.Body["messages"]!.AsArray()[^1]!["content"];
        var text = content is JsonArray parts ? string.Concat(parts.Select(p => (string?)p!["text"])) : (string?)content;
        Assert.Equal("Please email <EMAIL_ADDRESS_1>", text);
        Assert.True(result.Run.Usage.TotalTokens > 0);
    }

    [Fact]
    public async Task Upstream_rejection_ends_the_run_with_a_provider_code_and_no_key_in_the_reason()
    {
        await using var upstream = await FakeOpenAIUpstream.StartAsync();
        upstream.Status = 401;
        var services = new ServiceCollection();
        services.AddAegis(o => o.Providers["up"] = new ProviderOptions { Type = "openai_compatible", BaseUrl = upstream.BaseUrl, ApiKey = "sk-very-secret", Model = "m" });
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<AegisEngine>();

        var result = await engine.RunAsync(EngineHarness.Ask("hi"));

        Assert.Equal(RunStatus.Error, result.Status);
        Assert.Equal("AEG-PRV-005", result.Run.ErrorCode);
        Assert.DoesNotContain("sk-very-secret", result.Run.Reason, StringComparison.Ordinal);
        Assert.All(result.Events, e => Assert.DoesNotContain("sk-very-secret", e.Entry.Reason ?? string.Empty, StringComparison.Ordinal));
    }
}
