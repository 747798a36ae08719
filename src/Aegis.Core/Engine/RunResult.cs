using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>
/// The outcome of a run (or of its synchronous part): the stored record, the governed response when
/// it completed, and the audit events written for it.
/// </summary>
public sealed class RunResult
{
    internal RunResult(RunRecord run, ChatResponse? response, IReadOnlyList<AuditEvent> events)
    {
        Run = run;
        Response = response;
        Events = events;
    }

    /// <summary>The run as stored.</summary>
    public RunRecord Run { get; }

    /// <summary>The run id.</summary>
    public string RunId => Run.Id;

    /// <summary>The run status.</summary>
    public RunStatus Status => Run.Status;

    /// <summary>The governed response (originals restored), when the run completed; tool calls included.</summary>
    public ChatResponse? Response { get; }

    /// <summary>The audit events written during this call (every verdict and status change).</summary>
    public IReadOnlyList<AuditEvent> Events { get; }

    /// <summary>
    /// Throws the typed <see cref="AegisException"/> for a run that did not complete:
    /// <c>AEG-POL-004</c> (blocked), <c>AEG-POL-005</c> (paused), the run's own code (error), with
    /// <see cref="AegisException.RunId"/> set. Returns the response otherwise.
    /// </summary>
    public ChatResponse EnsureCompleted()
    {
        switch (Run.Status)
        {
            case RunStatus.Completed when Response is not null:
                return Response;
            case RunStatus.Blocked:
                throw new AegisException(ErrorFor(Run.ErrorCode, AegisErrors.PolicyBlocked), Run.Reason) { RunId = Run.Id };
            case RunStatus.Paused:
                throw new AegisException(AegisErrors.PolicyApprovalRequired, Run.Reason) { RunId = Run.Id };
            case RunStatus.Pending or RunStatus.Running:
                throw new AegisException(AegisErrors.RunNotPaused, $"run {Run.Id} is {Run.Status.ToWire()}; poll it") { RunId = Run.Id };
            default:
                throw new AegisException(ErrorFor(Run.ErrorCode, AegisErrors.ServerInternal), Run.Reason) { RunId = Run.Id };
        }
    }

    private static AegisError ErrorFor(string? code, AegisError fallback) =>
        code is not null && AegisErrors.TryGet(code, out var error) ? error : fallback;
}
