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

    /// <summary>
    /// A route's effective pipeline: each stage the route sets (even to an empty list, which means
    /// "no guards at this stage") is kept; each stage it leaves unset comes from the top-level
    /// pipeline. Every stage of the result is a new, non-null list.
    /// </summary>
    /// <param name="routePipeline">The route's own pipeline, or <see langword="null"/>.</param>
    /// <param name="top">The top-level pipeline.</param>
    /// <returns>A new pipeline.</returns>
    public static PipelineOptions Resolve(PipelineOptions? routePipeline, PipelineOptions top)
    {
        ArgumentNullException.ThrowIfNull(top);
        return new PipelineOptions
        {
            Ingress = [.. routePipeline?.Ingress ?? top.Ingress ?? []],
            ToolCall = [.. routePipeline?.ToolCall ?? top.ToolCall ?? []],
            ToolResult = [.. routePipeline?.ToolResult ?? top.ToolResult ?? []],
            Egress = [.. routePipeline?.Egress ?? top.Egress ?? []],
        };
    }
}
