namespace Aegis;

/// <summary>A point in the run lifecycle where guardrails run. Wire names: <c>ingress</c>, <c>tool_call</c>, <c>tool_result</c>, <c>egress</c>.</summary>
public enum GuardStage
{
    /// <summary>The caller's messages, before any provider sees them.</summary>
    Ingress,

    /// <summary>A tool call the model asked for, before it reaches the client or a tool.</summary>
    ToolCall,

    /// <summary>A tool's result (or a retrieved document) before the model sees it.</summary>
    ToolResult,

    /// <summary>The model's answer, before it reaches the caller.</summary>
    Egress,
}

/// <summary>Converts <see cref="GuardStage"/> to and from its wire strings.</summary>
public static class GuardStageNames
{
    /// <summary>The wire string of <paramref name="stage"/>.</summary>
    public static string ToWire(this GuardStage stage) => stage switch
    {
        GuardStage.Ingress => "ingress",
        GuardStage.ToolCall => "tool_call",
        GuardStage.ToolResult => "tool_result",
        GuardStage.Egress => "egress",
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, null),
    };

    /// <summary>Parses a wire string; returns <see langword="false"/> for anything else.</summary>
    public static bool TryParse(string? value, out GuardStage stage)
    {
        switch (value)
        {
            case "ingress": stage = GuardStage.Ingress; return true;
            case "tool_call": stage = GuardStage.ToolCall; return true;
            case "tool_result": stage = GuardStage.ToolResult; return true;
            case "egress": stage = GuardStage.Egress; return true;
            default: stage = default; return false;
        }
    }
}
