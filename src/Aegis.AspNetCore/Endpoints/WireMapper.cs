namespace Aegis.Http;

/// <summary>Maps runs and audit events to their wire bodies.</summary>
internal static class WireMapper
{
    public static List<EventBody> Events(IReadOnlyList<AuditEvent> events)
    {
        var list = new List<EventBody>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var entry = e.Entry;
            list.Add(new EventBody
            {
                Seq = e.Sequence,
                Ts = entry.Timestamp,
                Stage = entry.Stage?.ToWire(),
                Node = entry.Node,
                Verdict = entry.Verdict?.ToWire(),
                Status = entry.Status?.ToWire(),
                Reason = entry.Reason,
                Code = entry.Code,
            });
        }

        return list;
    }

    public static RunResponseBody RunResponse(RunRecord run, IReadOnlyList<AuditEvent> events) => new()
    {
        RunId = run.Id,
        Status = run.Status.ToWire(),
        Response = run.Status == Aegis.RunStatus.Completed ? run.Response ?? string.Empty : null,
        Usage = UsageBody.From(run.Usage),
        PrincipalId = run.PrincipalId,
        Events = Events(events),
        Reason = run.Reason,
        Code = run.ErrorCode,
    };

    public static RunStatusBody RunStatusOf(RunRecord run, IReadOnlyList<AuditEvent>? events)
    {
        var finished = run.Status.IsTerminal();
        return new RunStatusBody
        {
            RunId = run.Id,
            Route = run.Route,
            PrincipalId = run.PrincipalId,
            Status = run.Status.ToWire(),
            Approvers = run.Approvers,
            Response = finished && run.Status == Aegis.RunStatus.Completed ? run.Response ?? string.Empty : null,
            Usage = finished ? UsageBody.From(run.Usage) : null,
            CreatedAt = run.CreatedAt,
            UpdatedAt = run.UpdatedAt,
            Reason = run.Reason,
            Code = run.ErrorCode,
            Events = events is null ? null : Events(events),
        };
    }
}
