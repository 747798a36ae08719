using Aegis.Engine;
using Aegis.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aegis;

/// <summary>
/// The governance engine: one instance serves every front door (in-process, native HTTP, OpenAI HTTP).
/// Routes are compiled once when the engine is built; a run goes ingress → provider → tool_call →
/// egress, may pause for approval and be resumed exactly once, and every verdict and status change
/// is appended to the audit ledger. Thread-safe.
/// </summary>
public sealed class AegisEngine : IAsyncDisposable, IDisposable
{
    private readonly Dictionary<string, RoutePipeline> _routes;
    private readonly IRunStore _runs;
    private readonly RunExecutor _executor;
    private readonly StreamingExecutor _streaming;
    private readonly BackgroundRunQueue _background;
    private readonly TimeProvider _time;

    internal AegisEngine(
        Dictionary<string, RoutePipeline> routes,
        IRunStore runs,
        IAuditLedger audit,
        TimeProvider time,
        ILogger<AegisEngine>? logger)
    {
        _routes = routes;
        _runs = runs;
        _time = time;
        Audit = audit;
        _executor = new RunExecutor(runs, audit, time, logger ?? (ILogger)NullLogger.Instance);
        _streaming = new StreamingExecutor(_executor);
        _background = new BackgroundRunQueue(this, logger ?? (ILogger)NullLogger.Instance);
        var descriptors = new List<RouteDescriptor>(routes.Count);
        foreach (var route in routes.Values)
        {
            descriptors.Add(route.Describe());
        }

        Routes = descriptors;
    }

    /// <summary>The compiled routes.</summary>
    public IReadOnlyList<RouteDescriptor> Routes { get; }

    /// <summary>The audit ledger the engine writes to.</summary>
    public IAuditLedger Audit { get; }

    /// <summary>The run store the engine writes to.</summary>
    public IRunStore Runs => _runs;

    internal BackgroundRunQueue Background => _background;

    /// <summary>Stops background work (runs in flight finish or stay <c>pending</c> for the next process).</summary>
    public ValueTask DisposeAsync() => _background.DisposeAsync();

    /// <summary>Stops background work; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => _background.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Whether a route of that name exists.</summary>
    public bool HasRoute(string route) => _routes.ContainsKey(route);

    /// <summary>
    /// Runs a request. Synchronous runs return their final state (<c>completed</c>, <c>blocked</c>,
    /// <c>paused</c> or <c>error</c>); a background run is guarded on ingress, stored <c>pending</c> and
    /// returned at once, and a worker takes it through <c>running</c> to its end.
    /// </summary>
    /// <exception cref="AegisException">Invalid input (<c>AEG-REQ-*</c>) or a principal not allowed on the route (<c>AEG-AUTH-002</c>).</exception>
    public async Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        var ctx = Start(request);
        var result = await _executor.ExecuteAsync(ctx, GuardStage.Ingress, 0, null, null, request.Background, cancellationToken).ConfigureAwait(false);
        if (result.Status == RunStatus.Pending)
        {
            _background.Enqueue(result.RunId);
        }

        return result;
    }

    /// <summary>
    /// Starts a run whose answer streams. Ingress runs before this returns, so a blocked or paused run
    /// is known before any output; see <see cref="StreamingRun"/>.
    /// </summary>
    /// <exception cref="AegisException">Invalid input or a principal not allowed on the route.</exception>
    public Task<StreamingRun> RunStreamingAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Background)
        {
            throw new AegisException(AegisErrors.RequestInvalidField, "background: a streamed run cannot run in the background");
        }

        return _streaming.StartAsync(Start(request), cancellationToken);
    }

    /// <summary>Reads a run, or <see langword="null"/>.</summary>
    public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return _runs.GetAsync(runId, cancellationToken);
    }

    /// <summary>
    /// Decides a paused run: <see cref="ApprovalDecision.Approved"/> continues it from where it paused,
    /// <see cref="ApprovalDecision.Denied"/> ends it <c>blocked</c>. Exactly-once: of concurrent
    /// resumes, one continues and the others get <c>AEG-RUN-002</c>.
    /// </summary>
    /// <exception cref="AegisException"><c>AEG-RUN-001</c> (no such run), <c>AEG-RUN-002</c> (not paused), <c>AEG-AUTH-003</c> (not an approver).</exception>
    public async Task<RunResult> ResumeAsync(string runId, ApprovalDecision decision, Principal decider, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decider);
        if (string.IsNullOrEmpty(runId))
        {
            throw new AegisException(AegisErrors.RunNotFound, "run id is empty");
        }

        var record = await _runs.GetAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new AegisException(AegisErrors.RunNotFound, $"run {runId}") { RunId = runId };
        if (record.Status != RunStatus.Paused || record.Checkpoint is not { } checkpoint)
        {
            throw new AegisException(AegisErrors.RunNotPaused, $"run {runId} is {record.Status.ToWire()}") { RunId = runId };
        }

        if (record.Approvers.Count > 0 && !Contains(record.Approvers, decider.Id))
        {
            throw new AegisException(AegisErrors.AuthNotApprover, $"principal '{decider.Id}' is not an approver of run {runId}") { RunId = runId };
        }

        if (!_routes.TryGetValue(record.Route, out var pipeline))
        {
            throw new AegisException(AegisErrors.RequestUnknownRoute, $"run {runId} belongs to route '{record.Route}', which is no longer configured") { RunId = runId };
        }

        var principal = new Principal(record.PrincipalId, record.Team, checkpoint.PrincipalLabels);
        var state = new RunState(record.Id, record.Route, principal, MaskMap.FromEntries(checkpoint.MaskMap), new Dictionary<string, string>(checkpoint.Labels));
        state.Provider = checkpoint.Provider;
        state.Usage = record.Usage;
        foreach (var message in checkpoint.Messages)
        {
            state.Messages.Add(message);
        }

        var now = _time.GetUtcNow();
        var next = decision == ApprovalDecision.Approved
            ? record with { Status = RunStatus.Running, UpdatedAt = now, Reason = null, ErrorCode = null }
            : record with { Status = RunStatus.Blocked, UpdatedAt = now, Checkpoint = null, Reason = $"approval: denied by {decider.Id}", ErrorCode = AegisErrors.PolicyBlocked.Code };
        var ctx = new RunContext(pipeline, next, state, checkpoint.Options, persisted: true, _time);
        if (decision == ApprovalDecision.Denied)
        {
            // The denial and its audit event in one write where the stores allow it; the event only if this request decided.
            ctx.AddStatusEvent(RunStatus.Blocked, next.Reason, next.ErrorCode, now, "approval");
            var events = await _executor.TryUpdateAuditedAsync(next, RunStatus.Paused, [.. ctx.Audit], cancellationToken).ConfigureAwait(false)
                ?? throw new AegisException(AegisErrors.RunNotPaused, $"run {runId} was decided by another request") { RunId = runId };
            AegisTelemetry.RecordRun(next.Route, RunStatus.Blocked, 0);
            return new RunResult(next, null, events);
        }

        if (!await _runs.TryUpdateAsync(next, RunStatus.Paused, cancellationToken).ConfigureAwait(false))
        {
            throw new AegisException(AegisErrors.RunNotPaused, $"run {runId} was decided by another request") { RunId = runId };
        }

        ctx.AddStatusEvent(RunStatus.Running, $"approval: approved by {decider.Id}", null, now, "approval");
        var content = checkpoint.Stage == GuardStage.Ingress && checkpoint.Content.Count == 0 ? null : checkpoint.Content;
        return await _executor.ExecuteAsync(ctx, checkpoint.Stage, checkpoint.NextGuardIndex, content, checkpoint.FinishReason, false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes a pending run through <c>running</c> to its end (the background worker's job). Returns null if another worker took it.</summary>
    internal async Task<RunResult?> ExecutePendingAsync(string runId, CancellationToken cancellationToken)
    {
        var record = await _runs.GetAsync(runId, cancellationToken).ConfigureAwait(false);
        if (record is not { Status: RunStatus.Pending, Checkpoint: { } checkpoint } || !_routes.TryGetValue(record.Route, out var pipeline))
        {
            return null;
        }

        var running = record with { Status = RunStatus.Running, UpdatedAt = _time.GetUtcNow() };
        if (!await _runs.TryUpdateAsync(running, RunStatus.Pending, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var principal = new Principal(record.PrincipalId, record.Team, checkpoint.PrincipalLabels);
        var state = new RunState(record.Id, record.Route, principal, MaskMap.FromEntries(checkpoint.MaskMap), new Dictionary<string, string>(checkpoint.Labels));
        foreach (var message in checkpoint.Messages)
        {
            state.Messages.Add(message);
        }

        var ctx = new RunContext(pipeline, running, state, checkpoint.Options, persisted: true, _time);
        ctx.AddStatusEvent(RunStatus.Running, null, null, _time.GetUtcNow());
        return await _executor.ExecuteAsync(ctx, GuardStage.ToolResult, checkpoint.NextGuardIndex, null, null, false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Validates a request and builds the context of a new run.</summary>
    private RunContext Start(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequestValidator.Validate(request);
        if (!_routes.TryGetValue(request.Route, out var pipeline))
        {
            throw new AegisException(AegisErrors.RequestUnknownRoute, $"route '{request.Route}' is not configured");
        }

        if (!pipeline.Allows(request.Principal))
        {
            throw new AegisException(AegisErrors.AuthRouteForbidden, $"principal '{request.Principal.Id}' may not use route '{pipeline.Name}'");
        }

        var now = _time.GetUtcNow();
        var runId = Guid.CreateVersion7(now).ToString();
        var state = new RunState(runId, pipeline.Name, request.Principal);
        foreach (var message in request.Messages)
        {
            state.Messages.Add(message);
        }

        var record = new RunRecord
        {
            Id = runId,
            Route = pipeline.Name,
            PrincipalId = request.Principal.Id,
            Team = request.Principal.Team,
            Status = RunStatus.Running,
            Approvers = request.Approvers.Count == 0 ? [] : [.. request.Approvers],
            Background = request.Background,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var ctx = new RunContext(pipeline, record, state, request.Options, persisted: false, _time);
        ctx.AddStatusEvent(RunStatus.Running, null, null, now);
        return ctx;
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
