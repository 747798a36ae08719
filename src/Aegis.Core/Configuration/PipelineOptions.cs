using Microsoft.Extensions.Configuration;

namespace Aegis;

/// <summary>Guardrail names per stage, run in order (<c>pipeline:</c> or a route's own <c>pipeline:</c>).</summary>
public sealed class PipelineOptions
{
    /// <summary>Guards on the caller's messages.</summary>
    public List<string>? Ingress { get; set; }

    /// <summary>Guards on the model's tool calls (<c>tool_call</c>).</summary>
    [ConfigurationKeyName("tool_call")]
    public List<string>? ToolCall { get; set; }

    /// <summary>Guards on tool results and retrieved documents (<c>tool_result</c>).</summary>
    [ConfigurationKeyName("tool_result")]
    public List<string>? ToolResult { get; set; }

    /// <summary>Guards on the model's answer.</summary>
    public List<string>? Egress { get; set; }
}
