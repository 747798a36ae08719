using Microsoft.Extensions.AI;

namespace Aegis.Pipeline;

/// <summary>
/// A route's pipeline, compiled once at start-up from options: the guards of each stage in order,
/// the provider (with fallbacks) and the streaming mode. Immutable and shared by every run of the route.
/// </summary>
internal sealed class RoutePipeline
{
    public RoutePipeline(
        string name,
        AegisRouteOptions options,
        IReadOnlyList<(string Name, IChatClient Client)> providers,
        GuardStep[] ingress,
        GuardStep[] toolCall,
        GuardStep[] toolResult,
        GuardStep[] egress)
    {
        Name = name;
        Options = options;
        Providers = providers;
        Ingress = ingress;
        ToolCall = toolCall;
        ToolResult = toolResult;
        Egress = egress;
        BufferingGuard = Array.Find(egress, static s => !s.IsIncremental)?.Name;
        Principals = options.Principals is { Count: > 0 } p ? new HashSet<string>(p, StringComparer.Ordinal) : null;
        Teams = options.Teams is { Count: > 0 } t ? new HashSet<string>(t, StringComparer.Ordinal) : null;
    }

    public string Name { get; }

    public AegisRouteOptions Options { get; }

    /// <summary>The primary provider first, then the fallbacks.</summary>
    public IReadOnlyList<(string Name, IChatClient Client)> Providers { get; }

    public GuardStep[] Ingress { get; }

    public GuardStep[] ToolCall { get; }

    public GuardStep[] ToolResult { get; }

    public GuardStep[] Egress { get; }

    /// <summary>The first egress guard that cannot scan incrementally, or <see langword="null"/> when the route truly streams.</summary>
    public string? BufferingGuard { get; }

    public bool StreamsIncrementally => BufferingGuard is null;

    public HashSet<string>? Principals { get; }

    public HashSet<string>? Teams { get; }

    public GuardStep[] Stage(GuardStage stage) => stage switch
    {
        GuardStage.Ingress => Ingress,
        GuardStage.ToolCall => ToolCall,
        GuardStage.ToolResult => ToolResult,
        _ => Egress,
    };

    public bool Allows(Principal principal) =>
        (Principals is null && Teams is null)
        || (Principals is not null && Principals.Contains(principal.Id))
        || (Teams is not null && principal.Team is not null && Teams.Contains(principal.Team));

    public RouteDescriptor Describe() => new(
        Name,
        Providers[0].Name,
        StreamsIncrementally,
        BufferingGuard,
        Names(Ingress),
        Names(ToolCall),
        Names(ToolResult),
        Names(Egress));

    private static string[] Names(GuardStep[] steps)
    {
        var names = new string[steps.Length];
        for (var i = 0; i < steps.Length; i++)
        {
            names[i] = steps[i].Name;
        }

        return names;
    }
}
