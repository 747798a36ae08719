namespace Aegis.Core.Tests.Engine;

public sealed class ApprovalTests
{
    private static EngineHarness Harness(string stage = "ingress") => new(
        o => o.Pipeline = stage == "ingress"
            ? new PipelineOptions { Ingress = ["review", "after"] }
            : new PipelineOptions { Egress = ["review", "after"] },
        b => b.AddGuardrail("review", ScriptedGuard.ApproveWhen("review", "wire money"))
              .AddGuardrail("after", ScriptedGuard.Replace("after", "money", "funds")));

    [Fact]
    public async Task Pause_then_approve_continues_from_the_pause_to_completed()
    {
        await using var h = Harness();
        var paused = await h.Engine.RunAsync(EngineHarness.Ask("please wire money"));
        Assert.Equal(RunStatus.Paused, paused.Status);
        Assert.Equal(0, h.Provider.Calls);
        Assert.NotNull(paused.Run.Checkpoint);
        Assert.Equal("AEG-POL-005", Assert.Throws<AegisException>(() => paused.EnsureCompleted()).Code);

        var resumed = await h.Engine.ResumeAsync(paused.RunId, ApprovalDecision.Approved, new Principal("alice"));

        Assert.Equal(RunStatus.Completed, resumed.Status);
        // The guard after the pause ran on resume; the pausing guard did not run again.
        Assert.Equal("please wire funds", resumed.Response!.Text);
        Assert.Equal(1, h.Provider.Calls);
        var events = await h.Engine.Audit.GetRunEventsAsync(paused.RunId);
        Assert.Single(events, e => e.Entry.Node == "review");
        Assert.Contains(events, e => e.Entry.Node == "approval" && e.Entry.Reason!.Contains("alice", StringComparison.Ordinal));
        Assert.Null((await h.Engine.GetRunAsync(paused.RunId))!.Checkpoint);
    }

    [Fact]
    public async Task Pause_on_egress_then_approve_returns_the_held_answer()
    {
        await using var h = Harness("egress");
        var paused = await h.Engine.RunAsync(EngineHarness.Ask("wire money now"));
        Assert.Equal(RunStatus.Paused, paused.Status);
        Assert.Equal(1, h.Provider.Calls);

        var resumed = await h.Engine.ResumeAsync(paused.RunId, ApprovalDecision.Approved, Principal.Local);

        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.Equal("wire funds now", resumed.Run.Response);
        Assert.Equal(1, h.Provider.Calls);
    }

    [Fact]
    public async Task Pause_then_deny_ends_blocked()
    {
        await using var h = Harness();
        var paused = await h.Engine.RunAsync(EngineHarness.Ask("wire money"));
        var denied = await h.Engine.ResumeAsync(paused.RunId, ApprovalDecision.Denied, new Principal("bob"));
        Assert.Equal(RunStatus.Blocked, denied.Status);
        Assert.Equal(0, h.Provider.Calls);
        var stored = await h.Engine.GetRunAsync(paused.RunId);
        Assert.Equal(RunStatus.Blocked, stored!.Status);
        Assert.Contains("bob", stored.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approvers_are_enforced()
    {
        await using var h = Harness();
        var paused = await h.Engine.RunAsync(EngineHarness.Ask("wire money", approvers: ["alice"]));

        var ex = await Assert.ThrowsAsync<AegisException>(() => h.Engine.ResumeAsync(paused.RunId, ApprovalDecision.Approved, new Principal("mallory")));
        Assert.Equal("AEG-AUTH-003", ex.Code);
        Assert.Equal(RunStatus.Paused, (await h.Engine.GetRunAsync(paused.RunId))!.Status);

        var ok = await h.Engine.ResumeAsync(paused.RunId, ApprovalDecision.Approved, new Principal("alice"));
        Assert.Equal(RunStatus.Completed, ok.Status);
    }

    [Fact]
    public async Task Fifty_concurrent_resumes_continue_exactly_once()
    {
        await using var h = Harness();
        var paused = await h.Engine.RunAsync(EngineHarness.Ask("wire money"));
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                return (await h.Engine.ResumeAsync(paused.RunId, ApprovalDecision.Approved, new Principal($"p{i}"))).Status.ToWire();
            }
            catch (AegisException ex)
            {
                return ex.Code;
            }
        })).ToArray();
        start.Set();
        var outcomes = await Task.WhenAll(tasks);

        Assert.Equal(1, outcomes.Count(o => o == "completed"));
        Assert.Equal(49, outcomes.Count(o => o == "AEG-RUN-002"));
        Assert.Equal(1, h.Provider.Calls);
    }

    [Fact]
    public async Task Resume_of_a_missing_or_finished_run_is_coded()
    {
        await using var h = Harness();
        Assert.Equal("AEG-RUN-001", (await Assert.ThrowsAsync<AegisException>(() => h.Engine.ResumeAsync("no-such-run", ApprovalDecision.Approved, Principal.Local))).Code);
        var done = await h.Engine.RunAsync(EngineHarness.Ask("nothing to review"));
        Assert.Equal(RunStatus.Completed, done.Status);
        Assert.Equal("AEG-RUN-002", (await Assert.ThrowsAsync<AegisException>(() => h.Engine.ResumeAsync(done.RunId, ApprovalDecision.Approved, Principal.Local))).Code);
    }

    [Theory]
    [InlineData("approve")]
    [InlineData("APPROVED")]
    [InlineData("")]
    [InlineData(null)]
    public void Invalid_decision_words_are_coded(string? word) =>
        Assert.Equal("AEG-REQ-006", Assert.Throws<AegisException>(() => ApprovalDecisions.Parse(word)).Code);
}
