namespace Aegis;

/// <summary>One route (<c>routes.&lt;name&gt;</c>); callers pick it by name (OpenAI <c>model</c>).</summary>
public sealed class AegisRouteOptions
{
    /// <summary>The provider to call (a name under <c>providers</c>).</summary>
    public string? Provider { get; set; }

    /// <summary>Overrides the provider's model for this route.</summary>
    public string? Model { get; set; }

    /// <summary>Providers to try, in order, when the primary fails or is non-compliant.</summary>
    public List<string>? Fallback { get; set; }

    /// <summary>The route's own pipeline; stages it leaves unset use the top-level <c>pipeline</c>.</summary>
    public PipelineOptions? Pipeline { get; set; }

    /// <summary>Only these principal ids may use the route (empty: anyone).</summary>
    public List<string>? Principals { get; set; }

    /// <summary>Only principals of these teams may use the route (empty: anyone).</summary>
    public List<string>? Teams { get; set; }

    /// <summary>Allowed provider regions for this route (residency); empty: any.</summary>
    public List<string>? Regions { get; set; }
}
