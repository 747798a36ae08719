using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>A request for a governed run.</summary>
public sealed record RunRequest
{
    /// <summary>The conversation. At least one message with content.</summary>
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>The route (OpenAI <c>model</c>); default <c>default</c>.</summary>
    public string Route { get; init; } = "default";

    /// <summary>The caller; default <see cref="Principal.Local"/> (dev mode).</summary>
    public Principal Principal { get; init; } = Principal.Local;

    /// <summary>Store the run as <c>pending</c> and return at once; a background worker runs it.</summary>
    public bool Background { get; init; }

    /// <summary>Principal ids allowed to resume the run if it pauses; empty means any principal.</summary>
    public IReadOnlyList<string> Approvers { get; init; } = [];

    /// <summary>Chat options passed to the provider (tools, temperature, max tokens, ...).</summary>
    public ChatOptions? Options { get; init; }
}
