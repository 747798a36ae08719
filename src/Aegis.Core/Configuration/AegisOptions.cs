namespace Aegis;

/// <summary>
/// The whole Aegis configuration, with the original <c>aegis.yaml</c> keys: <c>providers</c>,
/// <c>guardrails</c>, <c>pipeline</c>, <c>routes</c>, <c>auth</c>, <c>persistence</c>, <c>rag</c>,
/// <c>telemetry</c>. Bindable from any <c>IConfiguration</c> source (section <c>Aegis</c>) and from a
/// YAML file, or built in code through <c>services.AddAegis(o =&gt; ...)</c>. Validated once at start-up.
/// </summary>
public sealed class AegisOptions
{
    /// <summary>The configuration section name used when binding from <c>IConfiguration</c>.</summary>
    public const string SectionName = "Aegis";

    /// <summary>Model providers by name (names are case-insensitive, like configuration keys).</summary>
    public Dictionary<string, ProviderOptions> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Guardrails by name; each names a <c>pack</c> and that pack's settings.</summary>
    public Dictionary<string, GuardrailOptions> Guardrails { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The default pipeline: guardrail names per stage.</summary>
    public PipelineOptions Pipeline { get; set; } = new();

    /// <summary>Routes by name (the OpenAI <c>model</c> selects the route). Empty means one route, <c>default</c>, on the first provider.</summary>
    public Dictionary<string, AegisRouteOptions> Routes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Authentication settings.</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>Where runs, audit, keys and budgets are stored.</summary>
    public PersistenceOptions Persistence { get; set; } = new();

    /// <summary>Retrieval settings.</summary>
    public RagOptions Rag { get; set; } = new();

    /// <summary>Telemetry settings.</summary>
    public TelemetryOptions Telemetry { get; set; } = new();
}
