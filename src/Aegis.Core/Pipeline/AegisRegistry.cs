using Microsoft.Extensions.AI;

namespace Aegis.Pipeline;

/// <summary>
/// What the host registered in code through <c>IAegisBuilder</c>: named guardrails and
/// providers, guardrail packs and provider types. One instance per service collection.
/// </summary>
internal sealed class AegisRegistry
{
    public Dictionary<string, Func<IServiceProvider, IGuardrail>> Guardrails { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, Func<IServiceProvider, IChatClient>> Providers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Guardrail packs by canonical name: build a guardrail named <c>name</c> from its options.</summary>
    public Dictionary<string, Func<string, GuardrailOptions, IServiceProvider, IGuardrail>> Packs { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Pack aliases (the original gateway's names) to canonical names.</summary>
    public Dictionary<string, string> PackAliases { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Packs the original gateway has that this build does not (AEG-POL-002).</summary>
    public HashSet<string> MissingPacks { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Provider types: build a provider named <c>name</c> from its options.</summary>
    public Dictionary<string, Func<string, ProviderOptions, IServiceProvider, IChatClient>> ProviderTypes { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string ResolvePack(string pack) => PackAliases.TryGetValue(pack, out var canonical) ? canonical : pack;
}
