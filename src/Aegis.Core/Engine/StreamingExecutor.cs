using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace Aegis.Engine;

/// <summary>
/// Streams a run. On a route whose egress guards are all incremental the provider's chunks are
/// relayed as they arrive, each guard's stream holding back a small window; otherwise (or when the
/// request carries tools) the whole run executes first and the governed answer is replayed in chunks.
/// </summary>
internal sealed class StreamingExecutor
{
    private const int ReplayChunkSize = 64;
    private readonly RunExecutor _executor;

    public StreamingExecutor(RunExecutor executor) => _executor = executor;

    public async Task<StreamingRun> StartAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        var pipeline = ctx.Pipeline;
        if (!pipeline.StreamsIncrementally || ctx.Options?.Tools is { Count: > 0 })
        {
            var result = await _executor.ExecuteAsync(ctx, GuardStage.Ingress, 0, null, null, false, cancellationToken).ConfigureAwait(false);
            var updates = result is { Status: RunStatus.Completed, Response: { } response } ? Replay(response) : Empty();
            return new StreamingRun(result.Run, false, updates, () => ctx.Record);
        }

        RunResult? stopped;
        try
        {
            stopped = await _executor.GuardInputAsync(ctx, GuardStage.Ingress, 0, null, cancellationToken).ConfigureAwait(false);
        }
        catch (AegisException ex)
        {
            stopped = await _executor.FailAsync(ctx, ex.Error, ex.Detail, cancellationToken).ConfigureAwait(false);
        }

        if (stopped is not null)
        {
            return new StreamingRun(stopped.Run, true, Empty(), () => ctx.Record);
        }

        return new StreamingRun(ctx.Record, true, StreamAsync(ctx, CancellationToken.None), () => ctx.Record);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(RunContext ctx, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var steps = ctx.Pipeline.Egress;
        var state = ctx.State;
        var context = new GuardrailContext(GuardStage.Egress, [], state);
        var streams = BeginStreams(steps, context);
        StringBuilder? refusal = null;

        var (providerName, client) = ctx.Pipeline.Providers[0];
        state.Provider = providerName;
        var options = RunExecutor.ProviderOptionsFor(ctx);
        var released = new StringBuilder();
        var scratch = new StringBuilder();
        var full = new StringBuilder();
        ChatFinishReason? finishReason = null;
        string? modelId = null;
        var finished = false;
        var started = _executor.Time.GetTimestamp();

        var enumerator = client.GetStreamingResponseAsync(state.Messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                string? failure = null;
                AegisException? upstream = null;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception ex) when (ProviderErrors.ShouldTranslate(ex, cancellationToken))
                {
                    upstream = ProviderErrors.ToAegisException(ex, providerName);
                    failure = upstream.Detail;
                    update = null!;
                }

                if (upstream is not null)
                {
                    AegisTelemetry.RecordUpstream(providerName, "error", _executor.Time.GetElapsedTime(started).TotalSeconds);
                    finished = true;
                    await _executor.FailAsync(ctx, upstream.Error, failure, CancellationToken.None).ConfigureAwait(false);
                    yield return Final(ctx, ChatFinishReason.ContentFilter, modelId);
                    yield break;
                }

                modelId ??= update.ModelId;
                finishReason = update.FinishReason ?? finishReason;
                foreach (var content in update.Contents)
                {
                    if (content is UsageContent usage)
                    {
                        RunExecutor.AddUsage(state, usage.Details);
                    }
                    else if (content is ErrorContent { ErrorCode: OpenAIConventions.RefusalErrorCode, Message: { Length: > 0 } part })
                    {
                        // A refusal is held to the end and guarded as a whole, apart from the answer's text.
                        (refusal ??= new StringBuilder()).Append(part);
                    }
                }

                var text = update.Text;
                if (text.Length == 0)
                {
                    continue;
                }

                if (streams.Length == 0)
                {
                    // No egress guard holds text back, so the provider's text is relayed as it is, not copied.
                    full.Append(text);
                    yield return Text(ctx, text, modelId);
                    continue;
                }

                var (verdict, node) = Push(streams, steps, text, released, scratch);
                if (verdict.Kind is VerdictKind.Block or VerdictKind.RequireApproval)
                {
                    finished = true;
                    await StopAsync(ctx, node!, verdict, late: false).ConfigureAwait(false);
                    yield return Final(ctx, ChatFinishReason.ContentFilter, modelId);
                    yield break;
                }

                if (TakeReleased(released, full) is { } chunk)
                {
                    yield return Text(ctx, chunk, modelId);
                }
            }

            AegisTelemetry.RecordUpstream(providerName, "ok", _executor.Time.GetElapsedTime(started).TotalSeconds);
            var (finalVerdict, finalNode, verdicts) = CompleteAll(streams, steps, released, scratch);
            if (finalVerdict.Kind is VerdictKind.Block or VerdictKind.RequireApproval)
            {
                finished = true;
                await StopAsync(ctx, finalNode!, finalVerdict, late: true).ConfigureAwait(false);
                yield return Final(ctx, ChatFinishReason.ContentFilter, modelId);
                yield break;
            }

            AddVerdicts(ctx, steps, verdicts);

            if (TakeReleased(released, full) is { } rest)
            {
                yield return Text(ctx, rest, modelId);
            }

            ErrorContent? guardedRefusal = null;
            if (refusal is not null)
            {
                // The egress guards see the refusal too (each verdict audited), through streams of their own.
                var refusalStreams = BeginStreams(steps, context);
                var (pushed, pushedNode) = Push(refusalStreams, steps, refusal.ToString(), released, scratch);
                var (refusalVerdict, refusalNode, refusalVerdicts) = pushed.Kind is VerdictKind.Block or VerdictKind.RequireApproval
                    ? (pushed, pushedNode, [])
                    : CompleteAll(refusalStreams, steps, released, scratch);
                if (refusalVerdict.Kind is VerdictKind.Block or VerdictKind.RequireApproval)
                {
                    finished = true;
                    await StopAsync(ctx, refusalNode!, refusalVerdict, late: true).ConfigureAwait(false);
                    yield return Final(ctx, ChatFinishReason.ContentFilter, modelId);
                    yield break;
                }

                AddVerdicts(ctx, steps, refusalVerdicts);

                guardedRefusal = new ErrorContent(released.ToString()) { ErrorCode = OpenAIConventions.RefusalErrorCode };
                released.Clear();
                yield return Update(ctx, guardedRefusal, modelId);
            }

            finished = true;
            var answer = new ChatMessage(ChatRole.Assistant, full.ToString());
            if (guardedRefusal is not null)
            {
                answer.Contents.Add(guardedRefusal);
            }

            var response = new ChatResponse(answer) { FinishReason = finishReason ?? ChatFinishReason.Stop, ModelId = modelId };
            await _executor.CompleteAsync(ctx, response, CancellationToken.None).ConfigureAwait(false);
            yield return Final(ctx, response.FinishReason, modelId);
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            if (!finished)
            {
                // The consumer stopped reading (client gone, cancellation): the run's end is still recorded.
                await _executor.FailAsync(ctx, AegisErrors.ProviderUpstreamFailed, "the stream was abandoned before it finished", CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Feeds text through each guard's stream in order; what one releases is what the next receives.</summary>
    private static (Verdict Verdict, string? Node) Push(IGuardrailStream[] streams, Pipeline.GuardStep[] steps, string text, StringBuilder released, StringBuilder scratch)
    {
        if (streams.Length == 0)
        {
            released.Append(text);
            return (Verdict.Allow, null);
        }

        ReadOnlySpan<char> input = text;
        string? carried = null;
        for (var i = 0; i < streams.Length; i++)
        {
            var output = i == streams.Length - 1 ? released : scratch;
            var verdict = streams[i].Append(carried is null ? input : carried, output);
            if (verdict.Kind is VerdictKind.Block or VerdictKind.RequireApproval)
            {
                return (verdict, steps[i].Name);
            }

            if (i < streams.Length - 1)
            {
                carried = scratch.ToString();
                scratch.Clear();
                if (carried.Length == 0)
                {
                    return (Verdict.Allow, null);
                }
            }
        }

        return (Verdict.Allow, null);
    }

    /// <summary>Completes every guard's stream in order (each final flush feeds the next guard) and collects the final verdicts.</summary>
    private static (Verdict Verdict, string? Node, Verdict[] Verdicts) CompleteAll(IGuardrailStream[] streams, Pipeline.GuardStep[] steps, StringBuilder released, StringBuilder scratch)
    {
        var verdicts = new Verdict[streams.Length];
        string? carried = null;
        for (var i = 0; i < streams.Length; i++)
        {
            var output = i == streams.Length - 1 ? released : scratch;
            if (carried is { Length: > 0 })
            {
                var pushed = streams[i].Append(carried, output);
                if (pushed.Kind is VerdictKind.Block or VerdictKind.RequireApproval)
                {
                    return (pushed, steps[i].Name, verdicts);
                }
            }

            var verdict = streams[i].Complete(output);
            verdicts[i] = verdict;
            if (verdict.Kind is VerdictKind.Block or VerdictKind.RequireApproval)
            {
                return (verdict, steps[i].Name, verdicts);
            }

            if (i < streams.Length - 1)
            {
                carried = scratch.ToString();
                scratch.Clear();
            }
        }

        return (Verdict.Allow, null, verdicts);
    }

    private ValueTask<RunResult> StopAsync(RunContext ctx, string node, Verdict verdict, bool late)
    {
        AddVerdict(ctx, node, verdict);
        var code = verdict.Code ?? (late ? AegisErrors.PolicyStreamTruncated.Code : AegisErrors.PolicyBlocked.Code);
        var reason = verdict.Kind == VerdictKind.RequireApproval
            ? $"{node}: {verdict.Reason} (approval cannot pause a stream that has started; the stream was cut)"
            : $"{node}: {verdict.Reason}";
        if (late)
        {
            reason += " (late violation: the stream was truncated)";
        }

        ctx.AddStatusEvent(RunStatus.Blocked, reason, code, _executor.Time.GetUtcNow());
        return _executor.FinalizeAsync(ctx, new RunEnding(RunStatus.Blocked, reason, code), null, CancellationToken.None);
    }

    /// <summary>Audits each step's final verdict of a stream that completed without stopping.</summary>
    private void AddVerdicts(RunContext ctx, Pipeline.GuardStep[] steps, Verdict[] verdicts)
    {
        for (var i = 0; i < steps.Length; i++)
        {
            AddVerdict(ctx, steps[i].Name, verdicts[i]);
        }
    }

    private void AddVerdict(RunContext ctx, string node, Verdict verdict) =>
        Pipeline.StageRunner.Record(ctx.Audit, ctx.State, GuardStage.Egress, node, verdict, _executor.Time);

    /// <summary>What the guards released since the last update, added to the whole answer; <see langword="null"/> when nothing was.</summary>
    private static string? TakeReleased(StringBuilder released, StringBuilder full)
    {
        if (released.Length == 0)
        {
            return null;
        }

        var chunk = released.ToString();
        released.Clear();
        full.Append(chunk);
        return chunk;
    }

    private static ChatResponseUpdate Text(RunContext ctx, string text, string? modelId) => Update(ctx, new TextContent(text), modelId);

    private static ChatResponseUpdate Update(RunContext ctx, AIContent content, string? modelId) => new(ChatRole.Assistant, [content])
    {
        ResponseId = ctx.State.RunId,
        MessageId = ctx.State.RunId,
        ModelId = modelId,
    };

    private static IGuardrailStream[] BeginStreams(Pipeline.GuardStep[] steps, GuardrailContext context)
    {
        var streams = new IGuardrailStream[steps.Length];
        for (var i = 0; i < steps.Length; i++)
        {
            streams[i] = ((IIncrementalGuardrail)steps[i].Guard).BeginStream(context);
        }

        return streams;
    }

    private static ChatResponseUpdate Final(RunContext ctx, ChatFinishReason? finishReason, string? modelId)
    {
        var usage = ctx.State.Usage;
        return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails
        {
            InputTokenCount = usage.PromptTokens,
            OutputTokenCount = usage.CompletionTokens,
            TotalTokenCount = usage.TotalTokens,
        })])
        {
            ResponseId = ctx.State.RunId,
            MessageId = ctx.State.RunId,
            ModelId = modelId,
            FinishReason = finishReason,
        };
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Replay(ChatResponse response)
    {
        var runId = response.ResponseId;
        foreach (var message in response.Messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is TextContent text)
                {
                    for (var i = 0; i < text.Text.Length; i += ReplayChunkSize)
                    {
                        yield return new ChatResponseUpdate(message.Role, text.Text.Substring(i, Math.Min(ReplayChunkSize, text.Text.Length - i)))
                        {
                            ResponseId = runId,
                            MessageId = runId,
                            ModelId = response.ModelId,
                        };
                    }
                }
                else if (content is not UsageContent)
                {
                    yield return new ChatResponseUpdate(message.Role, [content]) { ResponseId = runId, MessageId = runId, ModelId = response.ModelId };
                }
            }
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, response.Usage is { } usage ? [new UsageContent(usage)] : [])
        {
            ResponseId = runId,
            MessageId = runId,
            ModelId = response.ModelId,
            FinishReason = response.FinishReason ?? ChatFinishReason.Stop,
        };
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Empty()
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }
}
