using Microsoft.Extensions.AI;

namespace Aegis.Core.Tests.Engine;

public sealed class BadInputTests
{
    [Fact]
    public async Task Empty_messages_are_coded()
    {
        await using var h = new EngineHarness();
        var ex = await Assert.ThrowsAsync<AegisException>(() => h.Engine.RunAsync(new RunRequest { Messages = [] }));
        Assert.Equal("AEG-REQ-007", ex.Code);
    }

    [Fact]
    public async Task Null_messages_are_coded()
    {
        await using var h = new EngineHarness();
        var ex = await Assert.ThrowsAsync<AegisException>(() => h.Engine.RunAsync(new RunRequest { Messages = null! }));
        Assert.Equal("AEG-REQ-007", ex.Code);
        var nullItem = await Assert.ThrowsAsync<AegisException>(() => h.Engine.RunAsync(new RunRequest { Messages = [null!] }));
        Assert.Equal("AEG-REQ-002", nullItem.Code);
    }

    [Fact]
    public async Task Messages_without_content_are_coded()
    {
        await using var h = new EngineHarness();
        var ex = await Assert.ThrowsAsync<AegisException>(() => h.Engine.RunAsync(new RunRequest { Messages = [new ChatMessage(ChatRole.User, (string?)null)] }));
        Assert.Equal("AEG-REQ-007", ex.Code);
    }

    [Fact]
    public async Task Unknown_roles_are_coded()
    {
        await using var h = new EngineHarness();
        var ex = await Assert.ThrowsAsync<AegisException>(() => h.Engine.RunAsync(new RunRequest { Messages = [new ChatMessage(new ChatRole("wizard"), "hi")] }));
        Assert.Equal("AEG-REQ-008", ex.Code);
        Assert.Contains("messages[0].role", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_routes_are_coded()
    {
        await using var h = new EngineHarness();
        var ex = await Assert.ThrowsAsync<AegisException>(() => h.Engine.RunAsync(EngineHarness.Ask("hi", route: "nope")));
        Assert.Equal("AEG-REQ-005", ex.Code);
        Assert.Equal("AEG-REQ-005", Assert.Throws<AegisException>(() => h.Engine.AsChatClient("nope")).Code);
    }

    [Fact]
    public async Task Route_restrictions_are_enforced()
    {
        await using var h = new EngineHarness(o => o.Routes["default"] = new AegisRouteOptions { Provider = "test", Teams = ["finance"] });
        var ex = await Assert.ThrowsAsync<AegisException>(() => h.Engine.RunAsync(EngineHarness.Ask("hi", principal: new Principal("eve", "marketing"))));
        Assert.Equal("AEG-AUTH-002", ex.Code);
        var ok = await h.Engine.RunAsync(EngineHarness.Ask("hi", principal: new Principal("fay", "finance")));
        Assert.Equal(RunStatus.Completed, ok.Status);
    }

    [Fact]
    public void Unknown_guardrail_reference_fails_when_the_engine_is_built()
    {
        var ex = Assert.Throws<AegisException>(() => new EngineHarness(o => o.Pipeline = new PipelineOptions { Ingress = ["ghost"] }));
        Assert.Equal("AEG-CFG-011", ex.Code);
        Assert.Contains("pipeline.ingress[0]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_provider_reference_fails_when_the_engine_is_built()
    {
        var ex = Assert.Throws<AegisException>(() => new EngineHarness(o => o.Routes["default"] = new AegisRouteOptions { Provider = "ghost" }));
        Assert.Equal("AEG-CFG-010", ex.Code);
        Assert.Contains("routes.default.provider", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sqlite_persistence_without_the_storage_package_fails_at_start_up()
    {
        var ex = Assert.Throws<AegisException>(() => new EngineHarness(o => o.Persistence = new PersistenceOptions { Type = "sqlite", Path = "x.db" }));
        Assert.Equal("AEG-CFG-022", ex.Code);
        Assert.Contains("UseSqlite", ex.Message, StringComparison.Ordinal);
    }
}
