using System.Text;
using Microsoft.Extensions.AI;

namespace Aegis.Core.Tests.Engine;

public sealed class StreamingTests
{
    private static async Task<(string Text, List<ChatResponseUpdate> Updates)> DrainAsync(StreamingRun run)
    {
        var updates = new List<ChatResponseUpdate>();
        var sb = new StringBuilder();
        await foreach (var u in run.Updates)
        {
            updates.Add(u);
            sb.Append(u.Text);
        }

        return (sb.ToString(), updates);
    }

    [Fact]
    public async Task Incremental_route_streams_several_chunks_and_completes()
    {
        var text = "The quick brown fox jumps over the lazy dog, again and again and again.";
        await using var h = new EngineHarness(
            o => o.Pipeline = new PipelineOptions { Egress = ["hold"] },
            b => b.AddGuardrail("hold", new HoldBackGuard("hold", 8)),
            new FakeChatClient(new FakeChatClientOptions { Reply = text, ChunkCount = 6 }));

        var run = await h.Engine.RunStreamingAsync(EngineHarness.Ask("go"));
        Assert.True(run.IsIncremental);
        var (streamed, updates) = await DrainAsync(run);

        Assert.Equal(text, streamed);
        Assert.True(updates.Count(u => u.Text.Length > 0) > 2);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Equal(RunStatus.Completed, run.Current.Status);
        Assert.Equal(text, run.Current.Response);
        Assert.Contains((await h.Engine.Audit.GetRunEventsAsync(run.RunId)), e => e.Entry.Node == "hold" && e.Entry.Stage == GuardStage.Egress);
    }

    [Fact]
    public async Task Route_without_egress_guards_relays_each_provider_chunk_and_stores_the_whole_answer()
    {
        var text = "Nothing on this route holds text back, so each chunk of the provider goes out as it came in.";
        await using var h = new EngineHarness(
            configure: null,
            register: null,
            new FakeChatClient(new FakeChatClientOptions { Reply = text, ChunkCount = 7 }));

        var run = await h.Engine.RunStreamingAsync(EngineHarness.Ask("go"));
        Assert.True(run.IsIncremental);
        var (streamed, updates) = await DrainAsync(run);

        Assert.Equal(text, streamed);
        Assert.Equal(7, updates.Count(u => u.Text.Length > 0));
        Assert.All(updates, u => Assert.Equal(run.RunId, u.ResponseId));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Equal(RunStatus.Completed, run.Current.Status);
        Assert.Equal(text, run.Current.Response);
    }

    [Fact]
    public async Task Late_violation_truncates_the_stream_with_content_filter_and_is_audited()
    {
        var text = "Line one is fine. Line two is fine. The end mentions the forbidden codeword.";
        await using var h = new EngineHarness(
            o => o.Pipeline = new PipelineOptions { Egress = ["late"] },
            b => b.AddGuardrail("late", new HoldBackGuard("late", 4, lateWord: "codeword")),
            new FakeChatClient(new FakeChatClientOptions { Reply = text, ChunkCount = 5 }));

        var run = await h.Engine.RunStreamingAsync(EngineHarness.Ask("go"));
        var (streamed, updates) = await DrainAsync(run);

        Assert.NotEqual(text, streamed);
        Assert.StartsWith(streamed, text, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.ContentFilter, updates[^1].FinishReason);
        Assert.Equal(RunStatus.Blocked, run.Current.Status);
        Assert.Equal("AEG-POL-006", run.Current.ErrorCode);
        var events = await h.Engine.Audit.GetRunEventsAsync(run.RunId);
        Assert.Contains(events, e => e.Entry.Node == "late" && e.Entry.Verdict == VerdictKind.Block);
        Assert.Contains(events, e => e.Entry.Status == RunStatus.Blocked && e.Entry.Code == "AEG-POL-006");
    }

    [Fact]
    public async Task Early_violation_stops_the_stream()
    {
        await using var h = new EngineHarness(
            o => o.Pipeline = new PipelineOptions { Egress = ["early"] },
            b => b.AddGuardrail("early", new HoldBackGuard("early", 4, blockWord: "STOP")),
            new FakeChatClient(new FakeChatClientOptions { Reply = "aaaa bbbb STOP cccc dddd", ChunkCount = 5 }));
        var run = await h.Engine.RunStreamingAsync(EngineHarness.Ask("go"));
        var (streamed, updates) = await DrainAsync(run);
        Assert.DoesNotContain("STOP", streamed, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.ContentFilter, updates[^1].FinishReason);
        Assert.Equal(RunStatus.Blocked, run.Current.Status);
    }

    [Fact]
    public async Task Non_incremental_egress_guard_buffers_and_still_streams_valid_chunks()
    {
        await using var h = new EngineHarness(
            o => o.Pipeline = new PipelineOptions { Egress = ["buffered"] },
            b => b.AddGuardrail("buffered", ScriptedGuard.Replace("buffered", "fox", "cat")),
            new FakeChatClient(new FakeChatClientOptions { Reply = "the fox", ChunkCount = 3 }));

        Assert.Equal("buffered", Assert.Single(h.Engine.Routes).BufferingGuard);
        var run = await h.Engine.RunStreamingAsync(EngineHarness.Ask("go"));
        Assert.False(run.IsIncremental);
        var (streamed, updates) = await DrainAsync(run);
        Assert.Equal("the cat", streamed);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Fact]
    public async Task Ingress_block_is_known_before_any_output()
    {
        await using var h = new EngineHarness(
            o => o.Pipeline = new PipelineOptions { Ingress = ["in"] },
            b => b.AddGuardrail("in", ScriptedGuard.BlockWhen("in", "bad")));
        var run = await h.Engine.RunStreamingAsync(EngineHarness.Ask("bad request"));
        Assert.Equal(RunStatus.Blocked, run.Status);
        var (text, updates) = await DrainAsync(run);
        Assert.Empty(updates);
        Assert.Equal(0, h.Provider.Calls);
    }

    [Fact]
    public async Task Streamed_text_equals_non_streamed_text()
    {
        await using var h = new EngineHarness(o => o.Pipeline = new PipelineOptions { Egress = ["hold"] }, b => b.AddGuardrail("hold", new HoldBackGuard("hold", 5)));
        var whole = await h.Engine.RunAsync(EngineHarness.Ask("echo me back in pieces, please"));
        var run = await h.Engine.RunStreamingAsync(EngineHarness.Ask("echo me back in pieces, please"));
        var (streamed, _) = await DrainAsync(run);
        Assert.Equal(whole.Response!.Text, streamed);
    }
}
