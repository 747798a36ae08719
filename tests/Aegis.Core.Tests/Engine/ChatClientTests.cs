using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Aegis.Core.Tests.Engine;

public sealed class ChatClientTests
{
    [Fact]
    public async Task Route_as_IChatClient_works_inside_a_ChatClientBuilder_chain()
    {
        await using var h = new EngineHarness();
        var seen = new List<string>();
        IChatClient client = h.Engine.AsChatClient("default", new Principal("svc", "platform"))
            .AsBuilder()
            .Use(async (messages, options, next, ct) =>
            {
                seen.Add(messages.Last().Text);
                await next(messages, options, ct);
            })
            .Build();

        var response = await client.GetResponseAsync("governed hello");

        Assert.Equal("governed hello", response.Text);
        Assert.Equal(["governed hello"], seen);
        var runId = (string)response.AdditionalProperties!["aegis.run_id"]!;
        Assert.Equal("svc", (await h.Engine.GetRunAsync(runId))!.PrincipalId);
        Assert.Same(h.Engine, client.GetService<AegisEngine>());
        Assert.Equal("aegis", client.GetService<ChatClientMetadata>()!.ProviderName);
    }

    [Fact]
    public async Task Blocked_and_paused_runs_surface_as_typed_exceptions_with_the_run_id()
    {
        await using var h = new EngineHarness(
            o => o.Pipeline = new PipelineOptions { Ingress = ["b", "a"] },
            b => b.AddGuardrail("b", ScriptedGuard.BlockWhen("b", "attack")).AddGuardrail("a", ScriptedGuard.ApproveWhen("a", "transfer")));
        var client = h.Engine.AsChatClient();

        var blocked = await Assert.ThrowsAsync<AegisException>(() => client.GetResponseAsync("an attack"));
        Assert.Equal("AEG-POL-004", blocked.Code);
        Assert.Equal(RunStatus.Blocked, (await h.Engine.GetRunAsync(blocked.RunId!))!.Status);

        var paused = await Assert.ThrowsAsync<AegisException>(() => client.GetResponseAsync("a transfer"));
        Assert.Equal("AEG-POL-005", paused.Code);
        var resumed = await h.Engine.ResumeAsync(paused.RunId!, ApprovalDecision.Approved, Principal.Local);
        Assert.Equal("a transfer", resumed.Response!.Text);

        var streamBlocked = await Assert.ThrowsAsync<AegisException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync("an attack"))
            {
            }
        });
        Assert.Equal("AEG-POL-004", streamBlocked.Code);
    }

    [Fact]
    public async Task Streaming_through_the_IChatClient_reassembles_to_the_answer()
    {
        await using var h = new EngineHarness();
        var client = h.Engine.AsChatClient();
        var response = await client.GetStreamingResponseAsync("stream this sentence please").ToChatResponseAsync();
        Assert.Equal("stream this sentence please", response.Text);
    }

    [Fact]
    public async Task AddChatClient_registration_swaps_in_governance()
    {
        var services = new ServiceCollection();
        services.AddAegis(o => o.Routes["default"] = new AegisRouteOptions { Provider = "p" }).AddProvider("p", new FakeChatClient(new FakeChatClientOptions { Echo = true }));
        services.AddChatClient(sp => sp.GetRequiredService<AegisEngine>().AsChatClient());
        await using var sp = services.BuildServiceProvider();
        var answer = await sp.GetRequiredService<IChatClient>().GetResponseAsync("via DI");
        Assert.Equal("via DI", answer.Text);
    }
}
