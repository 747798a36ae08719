using Microsoft.Extensions.AI;

namespace Aegis.Core.Tests.Engine;

public sealed class RunLifecycleTests
{
    [Fact]
    public async Task Allow_only_pipeline_completes_and_audits_every_verdict_and_status()
    {
        var g1 = new ScriptedGuard("g1", _ => Verdict.Allow);
        var g2 = new ScriptedGuard("g2", _ => Verdict.Allow);
        await using var h = new EngineHarness(
            o => o.Pipeline = new PipelineOptions { Ingress = ["g1"], Egress = ["g2"] },
            b => b.AddGuardrail("g1", g1).AddGuardrail("g2", g2));

        var result = await h.Engine.RunAsync(EngineHarness.Ask("hello there"));

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("hello there", result.Response!.Text);
        Assert.Equal("hello there", result.Run.Response);
        var verdicts = result.Events.Where(e => e.Entry.Verdict is not null).Select(e => (e.Entry.Stage, e.Entry.Node, e.Entry.Verdict)).ToList();
        Assert.Equal([(GuardStage.Ingress, "g1", VerdictKind.Allow), (GuardStage.Egress, "g2", VerdictKind.Allow)], verdicts);
        Assert.Equal([RunStatus.Running, RunStatus.Completed], result.Events.Where(e => e.Entry.Status is not null).Select(e => e.Entry.Status!.Value));
        var ledger = await h.Engine.Audit.GetRunEventsAsync(result.RunId);
        Assert.Equal(result.Events.Count, ledger.Count);
        Assert.True((await h.Engine.Audit.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Usage_is_accumulated_and_reported()
    {
        await using var h = new EngineHarness();
        var result = await h.Engine.RunAsync(EngineHarness.Ask("count these tokens please"));
        Assert.True(result.Run.Usage.PromptTokens > 0);
        Assert.True(result.Run.Usage.CompletionTokens > 0);
        Assert.Equal(result.Run.Usage.TotalTokens, result.Response!.Usage!.TotalTokenCount);
        var stored = await h.Engine.GetRunAsync(result.RunId);
        Assert.Equal(result.Run.Usage, stored!.Usage);
    }

    [Fact]
    public async Task Sanitize_deltas_compose_in_order()
    {
        await using var h = new EngineHarness(
            o => o.Pipeline = new PipelineOptions { Ingress = ["first", "second"] },
            b => b.AddGuardrail("first", ScriptedGuard.Replace("first", "cat", "dog"))
                  .AddGuardrail("second", ScriptedGuard.Replace("second", "dog", "wolf")));

        var result = await h.Engine.RunAsync(EngineHarness.Ask("my cat"));

        // The second guard saw the first one's output: cat → dog → wolf.
        Assert.Equal("my wolf", Assert.Single(h.Provider.Requests)[0].Text);
        Assert.Equal("my wolf", result.Response!.Text);
        Assert.Equal(2, result.Events.Count(e => e.Entry.Verdict == VerdictKind.Sanitize));
        Assert.Equal("my wolf", Assert.Single(result.Run.Messages).Text);
    }

    [Fact]
    public async Task Block_ends_the_run_before_the_provider_and_later_guards()
    {
        var later = new ScriptedGuard("later", _ => Verdict.Allow);
        await using var h = new EngineHarness(
            o => o.Pipeline = new PipelineOptions { Ingress = ["blocker", "later"] },
            b => b.AddGuardrail("blocker", ScriptedGuard.BlockWhen("blocker", "forbidden")).AddGuardrail("later", later));

        var result = await h.Engine.RunAsync(EngineHarness.Ask("this is forbidden"));

        Assert.Equal(RunStatus.Blocked, result.Status);
        Assert.Equal("AEG-POL-004", result.Run.ErrorCode);
        Assert.Contains("blocker", result.Run.Reason, StringComparison.Ordinal);
        Assert.Equal(0, h.Provider.Calls);
        Assert.Equal(0, later.Calls);
        Assert.Null(result.Response);
        Assert.Contains(result.Events, e => e.Entry.Verdict == VerdictKind.Block && e.Entry.Node == "blocker");
        var ex = Assert.Throws<AegisException>(() => result.EnsureCompleted());
        Assert.Equal("AEG-POL-004", ex.Code);
        Assert.Equal(result.RunId, ex.RunId);
    }

    [Fact]
    public async Task Egress_block_withholds_the_answer()
    {
        await using var h = new EngineHarness(
            o => o.Pipeline = new PipelineOptions { Egress = ["out"] },
            b => b.AddGuardrail("out", ScriptedGuard.BlockWhen("out", "secret")));
        var result = await h.Engine.RunAsync(EngineHarness.Ask("tell me the secret"));
        Assert.Equal(RunStatus.Blocked, result.Status);
        Assert.Null(result.Run.Response);
        Assert.Equal(1, h.Provider.Calls);
    }

    [Fact]
    public async Task Provider_failure_ends_the_run_in_error_with_a_provider_code()
    {
        await using var h = new EngineHarness(provider: new FailingChatClient());
        var result = await h.Engine.RunAsync(EngineHarness.Ask("hi"));
        Assert.Equal(RunStatus.Error, result.Status);
        Assert.Equal("AEG-PRV-003", result.Run.ErrorCode);
        Assert.Equal("AEG-PRV-003", Assert.Throws<AegisException>(() => result.EnsureCompleted()).Code);
    }

    [Fact]
    public async Task Fallback_provider_answers_when_the_primary_fails()
    {
        await using var h = new EngineHarness(
            o => o.Routes["default"] = new AegisRouteOptions { Provider = "broken", Fallback = ["test"] },
            b => b.AddProvider("broken", new FailingChatClient()));
        var result = await h.Engine.RunAsync(EngineHarness.Ask("still answered"));
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("still answered", result.Response!.Text);
    }

    [Fact]
    public async Task Background_run_is_pending_then_completed_by_the_worker()
    {
        await using var h = new EngineHarness();
        var result = await h.Engine.RunAsync(EngineHarness.Ask("later please", background: true));
        Assert.Equal(RunStatus.Pending, result.Status);

        var run = await WaitForAsync(h.Engine, result.RunId, s => s.IsTerminal());
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal("later please", run.Response);
        var statuses = (await h.Engine.Audit.GetRunEventsAsync(result.RunId)).Where(e => e.Entry.Status is not null).Select(e => e.Entry.Status!.Value);
        Assert.Equal([RunStatus.Running, RunStatus.Pending, RunStatus.Running, RunStatus.Completed], statuses);
    }

    [Fact]
    public async Task Tool_call_guard_blocks_a_scripted_tool_call()
    {
        var fake = new FakeChatClient(new FakeChatClientOptions { Echo = true, ToolCalls = [new FakeToolCall("send_email", """{"to":"x@example.com"}""")] });
        await using var h = new EngineHarness(
            o => o.Pipeline = new PipelineOptions { ToolCall = ["tools"] },
            b => b.AddGuardrail("tools", new ScriptedGuard("tools", ctx =>
                ctx.Content.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Any(c => c.Name == "send_email") ? Verdict.Block("send_email is not allowed") : Verdict.Allow)),
            fake);
        var request = EngineHarness.Ask("mail it") with { Options = new ChatOptions { Tools = [AIFunctionFactory.Create((string to) => to, "send_email")] } };

        var result = await h.Engine.RunAsync(request);

        Assert.Equal(RunStatus.Blocked, result.Status);
        Assert.Equal("AEG-MCP-001", result.Run.ErrorCode);
    }

    [Fact]
    public async Task Tool_calls_pass_through_when_allowed()
    {
        var fake = new FakeChatClient(new FakeChatClientOptions { Echo = true, ToolCalls = [new FakeToolCall("lookup", """{"q":"weather"}""")] });
        await using var h = new EngineHarness(o => o.Pipeline = new PipelineOptions { ToolCall = ["ok"] }, b => b.AddGuardrail("ok", new ScriptedGuard("ok", _ => Verdict.Allow)), fake);
        var request = EngineHarness.Ask("weather?") with { Options = new ChatOptions { Tools = [AIFunctionFactory.Create((string q) => q, "lookup")] } };

        var result = await h.Engine.RunAsync(request);

        Assert.Equal(RunStatus.Completed, result.Status);
        var call = Assert.Single(result.Response!.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("lookup", call.Name);
        Assert.Contains(result.Events, e => e.Entry.Stage == GuardStage.ToolCall && e.Entry.Verdict == VerdictKind.Allow);
    }

    [Fact]
    public async Task Tool_result_guard_scans_tool_messages()
    {
        await using var h = new EngineHarness(
            o => o.Pipeline = new PipelineOptions { ToolResult = ["tr"] },
            b => b.AddGuardrail("tr", ScriptedGuard.BlockWhen("tr", "evil")));
        var request = new RunRequest
        {
            Messages =
            [
                new ChatMessage(ChatRole.User, "look it up"),
                new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "lookup")]),
                new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "evil instructions")]) { },
                new ChatMessage(ChatRole.Tool, "evil instructions"),
            ],
        };
        var result = await h.Engine.RunAsync(request);
        Assert.Equal(RunStatus.Blocked, result.Status);
        Assert.Equal("AEG-MCP-002", result.Run.ErrorCode);
    }

    internal static async Task<RunRecord> WaitForAsync(AegisEngine engine, string runId, Func<RunStatus, bool> done)
    {
        for (var i = 0; i < 500; i++)
        {
            var run = await engine.GetRunAsync(runId);
            if (run is not null && done(run.Status))
            {
                return run;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"run {runId} did not finish");
    }
}
