using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>
/// What flows through a run's pipeline: who, which route, the conversation as the model will see it,
/// labels (how packs talk to each other, e.g. <c>classification</c>), the mask map, the chosen provider
/// and the accumulated usage. Owned by the engine; guardrails read it and may add labels or mask
/// entries. Not thread-safe: one run is processed by one flow at a time.
/// </summary>
public sealed class RunState
{
    /// <summary>Creates the state of a new run.</summary>
    public RunState(string runId, string route, Principal principal, MaskMap? maskMap = null, IDictionary<string, string>? labels = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentException.ThrowIfNullOrEmpty(route);
        ArgumentNullException.ThrowIfNull(principal);
        RunId = runId;
        Route = route;
        Principal = principal;
        MaskMap = maskMap ?? new MaskMap();
        Labels = labels is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(labels, StringComparer.Ordinal);
    }

    /// <summary>The run id (a UUID string).</summary>
    public string RunId { get; }

    /// <summary>The route the run goes through.</summary>
    public string Route { get; }

    /// <summary>The caller.</summary>
    public Principal Principal { get; }

    /// <summary>The conversation as the model will see it (after ingress sanitization).</summary>
    public IList<ChatMessage> Messages { get; } = new List<ChatMessage>();

    /// <summary>Labels written by guardrails and read by others (e.g. <c>classification=pii</c>).</summary>
    public IDictionary<string, string> Labels { get; }

    /// <summary>Placeholder ↔ original map; secret.</summary>
    public MaskMap MaskMap { get; }

    /// <summary>The provider selected for this run, once chosen.</summary>
    public string? Provider { get; set; }

    /// <summary>Usage accumulated over every provider call of the run.</summary>
    public RunUsage Usage { get; set; }

    /// <summary>Cost accumulated over the run, in the configured currency unit.</summary>
    public decimal Cost { get; set; }
}
