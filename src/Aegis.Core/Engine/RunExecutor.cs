using System.Diagnostics;
using Aegis.Pipeline;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Aegis.Engine;

/// <summary>
/// Drives one run through its lifecycle from a given position: ingress → tool_result → provider →
/// tool_call → egress → finalize. Starting, resuming and background execution all enter here, so
/// there is exactly one implementation of the lifecycle.
/// </summary>
internal sealed partial class RunExecutor
{
    private readonly IRunStore _runs;
    private readonly IAuditLedger _audit;
    private readonly IAuditedRunStore? _runsWithAudit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public RunExecutor(IRunStore runs, IAuditLedger audit, TimeProvider time, ILogger logger)
    {
        _runs = runs;
        _audit = audit;
        _runsWithAudit = runs is IAuditedRunStore audited && audited.SharesLedger(audit) ? audited : null;
        _time = time;
        _logger = logger;
    }

    public TimeProvider Time => _time;

    /// <summary>
    /// Runs from <paramref name="from"/>/<paramref name="fromIndex"/>. <paramref name="resumeContent"/>
    /// is the content of that stage when resuming (null when starting fresh at ingress: the state's messages).
    /// With <paramref name="stopBeforeProvider"/> the run is stored <c>pending</c> once its input is guarded.
    /// </summary>
    public async ValueTask<RunResult> ExecuteAsync(
        RunContext ctx,
        GuardStage from,
        int fromIndex,
        IReadOnlyList<ChatMessage>? resumeContent,
        string? finishReason,
        bool stopBeforeProvider,
        CancellationToken cancellationToken)
    {
        using var activity = AegisTelemetry.ActivitySource.StartActivity("aegis.run");
        ctx.Activity = activity;
        activity?.SetTag("aegis.run_id", ctx.State.RunId);
        activity?.SetTag("aegis.route", ctx.State.Route);
        activity?.SetTag("aegis.principal_id", ctx.State.Principal.Id);
        try
        {
            var pipeline = ctx.Pipeline;
            ChatResponse response;
            if (from is GuardStage.Ingress or GuardStage.ToolResult)
            {
                var stopped = await GuardInputAsync(ctx, from, fromIndex, resumeContent, cancellationToken).ConfigureAwait(false);
                if (stopped is not null)
                {
                    return stopped;
                }

                if (stopBeforeProvider)
                {
                    return await PendAsync(ctx, cancellationToken).ConfigureAwait(false);
                }

                response = await CallProviderAsync(ctx, cancellationToken).ConfigureAwait(false);
                from = GuardStage.ToolCall;
                fromIndex = 0;
                resumeContent = null;
            }
            else
            {
                response = new ChatResponse([.. resumeContent ?? []])
                {
                    FinishReason = finishReason is null ? null : new ChatFinishReason(finishReason),
                };
            }

            if (from == GuardStage.ToolCall)
            {
                if (pipeline.ToolCall.Length > 0 && (resumeContent is not null || HasToolCalls(response.Messages)))
                {
                    var outcome = await RunStageAsync(ctx, GuardStage.ToolCall, fromIndex, resumeContent ?? AsReadOnly(response.Messages), cancellationToken).ConfigureAwait(false);
                    if (!outcome.Continues)
                    {
                        return await StopAsync(ctx, GuardStage.ToolCall, outcome, response, cancellationToken).ConfigureAwait(false);
                    }

                    SetMessages(response, outcome.Content);
                }

                fromIndex = 0;
                resumeContent = null;
            }

            if (fromIndex < pipeline.Egress.Length)
            {
                var outcome = await RunStageAsync(ctx, GuardStage.Egress, fromIndex, resumeContent ?? AsReadOnly(response.Messages), cancellationToken).ConfigureAwait(false);
                if (!outcome.Continues)
                {
                    return await StopAsync(ctx, GuardStage.Egress, outcome, response, cancellationToken).ConfigureAwait(false);
                }

                SetMessages(response, outcome.Content);
            }

            return await CompleteAsync(ctx, response, cancellationToken).ConfigureAwait(false);
        }
        catch (AegisException ex)
        {
            return await FailAsync(ctx, ex.Error, ex.Detail, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogUnexpected(_logger, ex, ctx.State.RunId);
            return await FailAsync(ctx, AegisErrors.ServerInternal, $"run {ctx.State.RunId} failed unexpectedly; see the server log", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Guards the run's input: ingress over the conversation, then tool_result over the tool messages.
    /// Returns the stopped run's result when a guard blocks or pauses, otherwise <see langword="null"/>.
    /// </summary>
    public async ValueTask<RunResult?> GuardInputAsync(RunContext ctx, GuardStage from, int fromIndex, IReadOnlyList<ChatMessage>? resumeContent, CancellationToken cancellationToken)
    {
        var messages = ctx.State.Messages;
        if (from == GuardStage.Ingress)
        {
            var content = resumeContent ?? AsReadOnly(messages);
            var outcome = await RunStageAsync(ctx, GuardStage.Ingress, fromIndex, content, cancellationToken).ConfigureAwait(false);

            // Even when the stage stops, what is stored is the content as sanitized so far, never the raw input.
            Replace(messages, outcome.Content);
            if (!outcome.Continues)
            {
                return await StopAsync(ctx, GuardStage.Ingress, outcome, null, cancellationToken).ConfigureAwait(false);
            }

            fromIndex = 0;
            resumeContent = null;
        }

        if (fromIndex < ctx.Pipeline.ToolResult.Length && ToolMessageIndexes(messages) is { } toolIndexes)
        {
            var content = resumeContent ?? Select(messages, toolIndexes);
            var outcome = await RunStageAsync(ctx, GuardStage.ToolResult, fromIndex, content, cancellationToken).ConfigureAwait(false);
            WriteBack(messages, toolIndexes, outcome.Content);
            if (!outcome.Continues)
            {
                return await StopAsync(ctx, GuardStage.ToolResult, outcome, null, cancellationToken).ConfigureAwait(false);
            }
        }

        return null;
    }

    public ValueTask<StageOutcome> RunStageAsync(RunContext ctx, GuardStage stage, int fromIndex, IReadOnlyList<ChatMessage> content, CancellationToken cancellationToken) =>
        StageRunner.RunAsync(stage, ctx.Pipeline.Stage(stage), fromIndex, content, ctx.State, ctx.Audit, _time, cancellationToken);

    /// <summary>Calls the route's provider, falling back in order; accumulates usage.</summary>
    public async ValueTask<ChatResponse> CallProviderAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        var options = ProviderOptionsFor(ctx);
        var providers = ctx.Pipeline.Providers;
        for (var i = 0; ; i++)
        {
            var (name, client) = providers[i];
            ctx.State.Provider = name;
            var started = _time.GetTimestamp();
            try
            {
                var response = await client.GetResponseAsync(ctx.State.Messages, options, cancellationToken).ConfigureAwait(false);
                AegisTelemetry.RecordUpstream(name, "ok", _time.GetElapsedTime(started).TotalSeconds);
                AddUsage(ctx.State, response.Usage);
                return response;
            }
            catch (Exception ex) when (ProviderErrors.ShouldTranslate(ex, cancellationToken))
            {
                AegisTelemetry.RecordUpstream(name, "error", _time.GetElapsedTime(started).TotalSeconds);
                var mapped = ProviderErrors.ToAegisException(ex, name);
                if (i + 1 >= providers.Count)
                {
                    throw mapped;
                }

                LogFallback(_logger, name, providers[i + 1].Name, mapped.Code, ctx.State.RunId);
            }
        }
    }

    public static ChatOptions? ProviderOptionsFor(RunContext ctx)
    {
        var model = ctx.Pipeline.Options.Model;
        if (model is null)
        {
            return ctx.Options;
        }

        var options = ctx.Options?.Clone() ?? new ChatOptions();
        options.ModelId = model;
        return options;
    }

    public static void AddUsage(RunState state, UsageDetails? usage)
    {
        if (usage is not null)
        {
            state.Usage += new RunUsage(usage.InputTokenCount ?? 0, usage.OutputTokenCount ?? 0);
        }
    }

    /// <summary>A stage blocked or asked for approval: end the run blocked, or checkpoint and pause it.</summary>
    public ValueTask<RunResult> StopAsync(RunContext ctx, GuardStage stage, StageOutcome outcome, ChatResponse? response, CancellationToken cancellationToken)
    {
        var verdict = outcome.Verdict!;
        var now = _time.GetUtcNow();
        var reason = $"{outcome.Node}: {verdict.Reason}";
        if (verdict.Kind == VerdictKind.Block)
        {
            var code = verdict.Code ?? stage switch
            {
                GuardStage.ToolCall => AegisErrors.ToolCallBlocked.Code,
                GuardStage.ToolResult => AegisErrors.ToolResultBlocked.Code,
                _ => AegisErrors.PolicyBlocked.Code,
            };
            ctx.AddStatusEvent(RunStatus.Blocked, reason, code, now);
            return FinalizeAsync(ctx, new RunEnding(RunStatus.Blocked, reason, code), null, cancellationToken);
        }

        var checkpoint = Checkpoint(ctx, stage, outcome.GuardIndex + 1, outcome.Content, response?.FinishReason?.Value);
        ctx.AddStatusEvent(RunStatus.Paused, reason, AegisErrors.PolicyApprovalRequired.Code, now);
        return FinalizeAsync(ctx, new RunEnding(RunStatus.Paused, reason, AegisErrors.PolicyApprovalRequired.Code) { Checkpoint = checkpoint }, null, cancellationToken);
    }

    public ValueTask<RunResult> CompleteAsync(RunContext ctx, ChatResponse response, CancellationToken cancellationToken)
    {
        ctx.AddStatusEvent(RunStatus.Completed, null, null, _time.GetUtcNow());
        // The run's usage over every provider call, in the provider's own usage object when it gave one.
        var usage = ctx.State.Usage;
        var details = response.Usage ??= new UsageDetails();
        details.InputTokenCount = usage.PromptTokens;
        details.OutputTokenCount = usage.CompletionTokens;
        details.TotalTokenCount = usage.TotalTokens;
        response.ResponseId ??= ctx.State.RunId;
        (response.AdditionalProperties ??= [])["aegis.run_id"] = ctx.State.RunId;
        return FinalizeAsync(ctx, new RunEnding(RunStatus.Completed, null, null) { Response = response.Text }, response, cancellationToken);
    }

    public ValueTask<RunResult> FailAsync(RunContext ctx, AegisError error, string? detail, CancellationToken cancellationToken)
    {
        var reason = detail ?? error.What;
        ctx.AddStatusEvent(RunStatus.Error, reason, error.Code, _time.GetUtcNow());
        return FinalizeAsync(ctx, new RunEnding(RunStatus.Error, reason, error.Code), null, cancellationToken);
    }

    private ValueTask<RunResult> PendAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        var checkpoint = Checkpoint(ctx, GuardStage.ToolResult, ctx.Pipeline.ToolResult.Length, [], null);
        ctx.AddStatusEvent(RunStatus.Pending, null, null, _time.GetUtcNow());
        return FinalizeAsync(ctx, new RunEnding(RunStatus.Pending, ctx.Record.Reason, ctx.Record.ErrorCode) { Checkpoint = checkpoint }, null, cancellationToken);
    }

    private static RunCheckpoint Checkpoint(RunContext ctx, GuardStage stage, int nextIndex, IReadOnlyList<ChatMessage> content, string? finishReason) => new()
    {
        Stage = stage,
        NextGuardIndex = nextIndex,
        Content = [.. content],
        Messages = [.. ctx.State.Messages],
        Labels = new Dictionary<string, string>(ctx.State.Labels, StringComparer.Ordinal),
        MaskMap = [.. ctx.State.MaskMap.Entries],
        Provider = ctx.State.Provider,
        FinishReason = finishReason,
        Options = ctx.Options,
        PrincipalLabels = new Dictionary<string, string>(ctx.State.Principal.Labels, StringComparer.Ordinal),
    };

    /// <summary>Stores the run's new state (create or compare-and-set from its stored status), appends its audit entries, records telemetry.</summary>
    public async ValueTask<RunResult> FinalizeAsync(RunContext ctx, RunEnding ending, ChatResponse? response, CancellationToken cancellationToken)
    {
        // One copy of the record per segment: status, reason, checkpoint and the run's conversation and usage at once.
        var next = ctx.Record with
        {
            Status = ending.Status,
            Reason = ending.Reason,
            ErrorCode = ending.Code,
            Checkpoint = ending.Checkpoint,
            Response = ending.Response ?? ctx.Record.Response,
            UpdatedAt = _time.GetUtcNow(),
            Messages = [.. ctx.State.Messages],
            Usage = ctx.State.Usage,
        };

        // The outcome is stored even if the caller has gone: a run's end must not be lost.
        var storeToken = CancellationToken.None;
        AuditEntry[] entries = [.. ctx.Audit];
        ctx.Audit.Clear();
        IReadOnlyList<AuditEvent> events;
        if (ctx.Persisted)
        {
            // A compare-and-set can lose to another process: only when it wins may the audit say the run moved on.
            events = await TryUpdateAuditedAsync(next, ctx.Record.Status, entries, storeToken).ConfigureAwait(false)
                ?? throw new AegisException(AegisErrors.StoreFailed, $"run {next.Id} changed status concurrently") { RunId = next.Id };
        }
        else
        {
            events = await CreateAuditedAsync(next, entries, storeToken).ConfigureAwait(false);
            ctx.Persisted = true;
        }

        ctx.Record = next;

        if (next.Status != RunStatus.Pending)
        {
            AegisTelemetry.RecordRun(next.Route, next.Status, _time.GetElapsedTime(ctx.StartedAt).TotalSeconds);
        }

        ctx.Activity?.SetTag("aegis.status", next.Status.ToWire());
        if (next.Status is RunStatus.Error)
        {
            ctx.Activity?.SetStatus(ActivityStatusCode.Error, next.ErrorCode);
        }

        LogRunFinished(_logger, next.Id, next.Route, next.Status, next.ErrorCode);
        return new RunResult(next, response, events);
    }

    /// <summary>Stores a new run and appends <paramref name="entries"/>: in one write when the run store shares the ledger, else in two.</summary>
    private async ValueTask<IReadOnlyList<AuditEvent>> CreateAuditedAsync(RunRecord run, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        if (_runsWithAudit is { } store)
        {
            return await store.CreateWithAuditAsync(run, entries, cancellationToken).ConfigureAwait(false);
        }

        // A new run (fresh id) cannot conflict: both writes are queued before either is awaited, so a
        // group-committing store usually acknowledges the run's row and its audit events with one commit.
        var create = _runs.CreateAsync(run, cancellationToken);
        var append = _audit.AppendAsync(entries, cancellationToken);
        IReadOnlyList<AuditEvent> events;
        try
        {
            await create.ConfigureAwait(false);
        }
        finally
        {
            // Observed even when the create failed, so the append's outcome is never left unobserved.
            events = await append.ConfigureAwait(false);
        }

        return events;
    }

    /// <summary>
    /// Replaces the stored run if its status is <paramref name="expected"/> and, only then, appends <paramref name="entries"/>:
    /// in one write when the run store shares the ledger, else in two. <see langword="null"/> when the compare-and-set lost.
    /// <paramref name="cancellationToken"/> can stop the write only before it is taken (one write) or before the
    /// compare-and-set (two writes), never between the two.
    /// </summary>
    public async ValueTask<IReadOnlyList<AuditEvent>?> TryUpdateAuditedAsync(RunRecord next, RunStatus expected, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        if (_runsWithAudit is { } store)
        {
            return await store.TryUpdateWithAuditAsync(next, expected, entries, cancellationToken).ConfigureAwait(false);
        }

        if (!await _runs.TryUpdateAsync(next, expected, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        // The run has moved on: its audit must be written even if the caller has gone.
        return await _audit.AppendAsync(entries, CancellationToken.None).ConfigureAwait(false);
    }

    private static bool HasToolCalls(IList<ChatMessage> messages)
    {
        foreach (var message in messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is FunctionCallContent)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The positions of the tool messages, or <see langword="null"/> when there are none.</summary>
    private static List<int>? ToolMessageIndexes(IList<ChatMessage> messages)
    {
        List<int>? indexes = null;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Role == ChatRole.Tool)
            {
                (indexes ??= []).Add(i);
            }
        }

        return indexes;
    }

    /// <summary>
    /// A stage's input as the read-only list it is: stages never change their input (a sanitizing guard returns new
    /// content), so the run's own message list is passed as it is rather than copied per stage.
    /// </summary>
    private static IReadOnlyList<ChatMessage> AsReadOnly(IList<ChatMessage> messages) =>
        messages as IReadOnlyList<ChatMessage> ?? [.. messages];

    /// <summary>Puts a stage's output into the response, without a copy when the stage changed nothing.</summary>
    private static void SetMessages(ChatResponse response, IReadOnlyList<ChatMessage> content)
    {
        if (!ReferenceEquals(content, response.Messages))
        {
            response.Messages = content is List<ChatMessage> list ? list : [.. content];
        }
    }

    private static ChatMessage[] Select(IList<ChatMessage> messages, List<int> indexes)
    {
        var selected = new ChatMessage[indexes.Count];
        for (var i = 0; i < indexes.Count; i++)
        {
            selected[i] = messages[indexes[i]];
        }

        return selected;
    }

    private static void WriteBack(IList<ChatMessage> messages, List<int> indexes, IReadOnlyList<ChatMessage> content)
    {
        var n = Math.Min(indexes.Count, content.Count);
        for (var i = 0; i < n; i++)
        {
            messages[indexes[i]] = content[i];
        }
    }

    private static void Replace(IList<ChatMessage> messages, IReadOnlyList<ChatMessage> content)
    {
        if (ReferenceEquals(messages, content))
        {
            return;
        }

        messages.Clear();
        foreach (var message in content)
        {
            messages.Add(message);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Run {RunId} on route {Route} ended {Status} {Code}")]
    private static partial void LogRunFinished(ILogger logger, string runId, string route, RunStatus status, string? code);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Run {RunId} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string runId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Provider {Provider} failed ({Code}) for run {RunId}; falling back to {Next}")]
    private static partial void LogFallback(ILogger logger, string provider, string next, string code, string runId);
}
