namespace Aegis;

/// <summary>What a compiled route looks like: its provider, its guards per stage and its streaming mode (for <c>aegis policy lint</c> and <c>/v1/models</c>).</summary>
/// <param name="Name">The route name.</param>
/// <param name="Provider">The primary provider.</param>
/// <param name="StreamsIncrementally">Whether streaming is real (every egress guard incremental) rather than buffered.</param>
/// <param name="BufferingGuard">The egress guard that forces buffering, or <see langword="null"/>.</param>
/// <param name="Ingress">Ingress guard names in order.</param>
/// <param name="ToolCall">Tool-call guard names in order.</param>
/// <param name="ToolResult">Tool-result guard names in order.</param>
/// <param name="Egress">Egress guard names in order.</param>
public sealed record RouteDescriptor(
    string Name,
    string Provider,
    bool StreamsIncrementally,
    string? BufferingGuard,
    IReadOnlyList<string> Ingress,
    IReadOnlyList<string> ToolCall,
    IReadOnlyList<string> ToolResult,
    IReadOnlyList<string> Egress);
