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

    /// <summary>Guardrail packs (canonical names and aliases) that configuration entries are built from.</summary>
    public GuardrailPackCatalog Packs { get; } = GuardrailPackCatalog.CreateBuiltIn();

    /// <summary>Provider types: build a provider named <c>name</c> from its options.</summary>
    public Dictionary<string, Func<string, ProviderOptions, IServiceProvider, IChatClient>> ProviderTypes { get; } = new(StringComparer.OrdinalIgnoreCase);
}
