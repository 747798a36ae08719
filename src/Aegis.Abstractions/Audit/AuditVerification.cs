namespace Aegis;

/// <summary>The result of walking an audit chain.</summary>
/// <param name="IsValid">Whether every link holds.</param>
/// <param name="EventCount">How many events were checked.</param>
/// <param name="FirstBrokenSequence">The sequence number at which the chain first breaks, or <see langword="null"/>.</param>
/// <param name="Problem">What is wrong there (edited content, missing event, out of order), or <see langword="null"/>.</param>
public sealed record AuditVerification(bool IsValid, long EventCount, long? FirstBrokenSequence, string? Problem)
{
    /// <summary>A valid chain of <paramref name="eventCount"/> events.</summary>
    public static AuditVerification Valid(long eventCount) => new(true, eventCount, null, null);
}
