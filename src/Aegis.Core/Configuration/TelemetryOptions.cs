using Microsoft.Extensions.Configuration;

namespace Aegis;

/// <summary>Telemetry (<c>telemetry:</c>). The <c>Aegis</c> meter and activity source always exist; these settings shape exporters.</summary>
public sealed class TelemetryOptions
{
    /// <summary>Whether <c>/metrics</c> is served (default true).</summary>
    public bool? Metrics { get; set; }

    /// <summary>The service name reported to exporters (default <c>aegis</c>).</summary>
    [ConfigurationKeyName("service_name")]
    public string? ServiceName { get; set; }
}
