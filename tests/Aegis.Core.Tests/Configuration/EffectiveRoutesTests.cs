using static Aegis.Core.Tests.Configuration.ConfigurationSamples;

namespace Aegis.Core.Tests.Configuration;

public sealed class EffectiveRoutesTests
{
    [Fact]
    public void No_routes_means_one_default_route_on_the_first_provider_with_the_top_pipeline()
    {
        var options = new AegisOptions();
        options.Providers["first"] = new ProviderOptions { Type = "fake" };
        options.Providers["second"] = new ProviderOptions { Type = "fake" };
        options.Pipeline.Ingress = ["pii"];

        var routes = options.EffectiveRoutes();

        var route = Assert.Single(routes);
        Assert.Equal("default", route.Key);
        Assert.Equal("first", route.Value.Provider);
        Assert.Equal(["pii"], route.Value.Pipeline!.Ingress);
        Assert.Empty(route.Value.Pipeline.Egress!);
        Assert.NotSame(options.Pipeline.Ingress, route.Value.Pipeline.Ingress);
    }

    [Fact]
    public void Configured_routes_resolve_their_pipelines_per_stage()
    {
        var routes = BindYaml(FullYaml).EffectiveRoutes();

        Assert.Equal(2, routes.Count);
        var chat = routes["CHAT"];
        Assert.Equal(["pii", "injection", "no-secrets"], chat.Pipeline!.Ingress);
        Assert.Equal(["pii"], chat.Pipeline.Egress);
        var research = routes["research"];
        Assert.Equal(["pii"], research.Pipeline!.Ingress);
        Assert.Empty(research.Pipeline.Egress!);
        Assert.Equal(["injection"], research.Pipeline.ToolResult);
        Assert.Empty(research.Pipeline.ToolCall!);
        Assert.Equal("llama3.1:70b", research.Model);
        Assert.Equal(["local"], research.Fallback);
        Assert.Equal(["alice"], research.Principals);
    }

    [Fact]
    public void A_route_without_provider_gets_the_only_provider()
    {
        var options = BindYaml("providers:\n  only:\n    type: fake\nroutes:\n  chat:\n    model: m\n");

        Assert.Equal("only", options.EffectiveRoutes()["chat"].Provider);
        Assert.Null(options.Routes["chat"].Provider);
    }

    [Fact]
    public void Code_providers_count_after_configured_ones()
    {
        var none = new AegisOptions();

        Assert.Equal("mine", none.EffectiveRoutes(["mine"])["default"].Provider);
        Assert.Null(none.EffectiveRoutes()["default"].Provider);
    }

    [Fact]
    public void Resolve_keeps_route_stages_and_falls_back_per_stage()
    {
        var top = new PipelineOptions { Ingress = ["a"], ToolCall = ["b"], Egress = ["c"] };
        var route = new PipelineOptions { Ingress = [], Egress = ["d"] };

        var resolved = PipelineOptions.Resolve(route, top);

        Assert.Empty(resolved.Ingress!);
        Assert.Equal(["b"], resolved.ToolCall);
        Assert.Empty(resolved.ToolResult!);
        Assert.Equal(["d"], resolved.Egress);
        Assert.Equal(["a"], PipelineOptions.Resolve(null, top).Ingress);
    }
}
