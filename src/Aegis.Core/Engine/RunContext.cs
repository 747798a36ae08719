using System.Diagnostics;
using Aegis.Pipeline;
using Microsoft.Extensions.AI;

namespace Aegis.Engine;

/// <summary>The mutable state of one execution segment of a run (from start or resume to the next stop).</summary>
internal sealed class RunContext
{
    public RunContext(RoutePipeline pipeline, RunRecord record, RunState state, ChatOptions? options, bool persisted, TimeProvider time)
    {
        Pipeline = pipeline;
        Record = record;
        State = state;
        Options = options;
        Persisted = persisted;
        StartedAt = time.GetTimestamp();
    }

    public RoutePipeline Pipeline { get; }

    /// <summary>The record as last stored (or as it will first be stored when <see cref="Persisted"/> is false).</summary>
    public RunRecord Record { get; set; }

    public RunState State { get; }

    public ChatOptions? Options { get; }

    /// <summary>Whether the record exists in the store (else the final write creates it).</summary>
    public bool Persisted { get; set; }

    public long StartedAt { get; }

    public List<AuditEntry> Audit { get; } = new(8);

    public Activity? Activity { get; set; }

    public void AddStatusEvent(RunStatus status, string? reason, string? code, DateTimeOffset at, string node = "engine") => Audit.Add(new AuditEntry
    {
        Timestamp = at,
        RunId = State.RunId,
        PrincipalId = State.Principal.Id,
        Route = State.Route,
        Node = node,
        Status = status,
        Reason = reason,
        Code = code,
    });
}
