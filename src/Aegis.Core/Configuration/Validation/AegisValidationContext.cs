using System.Collections.Frozen;

namespace Aegis;

/// <summary>
/// What exists in this build and host, for <see cref="AegisOptionsValidator"/>: the provider types,
/// the guardrail packs (canonical names, aliases, and the original's packs that are absent), and the
/// guardrails and providers registered in code. Every name set is case-insensitive.
/// </summary>
public sealed class AegisValidationContext
{
    private readonly FrozenSet<string> _providerTypes = FrozenSet<string>.Empty;
    private readonly FrozenSet<string> _guardrailPacks = FrozenSet<string>.Empty;
    private readonly FrozenDictionary<string, string> _packAliases = FrozenDictionary<string, string>.Empty;
    private readonly FrozenSet<string> _missingPacks = Set(GuardrailPackCatalog.AbsentOriginalPacks);
    private readonly FrozenSet<string> _codeGuardrails = FrozenSet<string>.Empty;
    private readonly FrozenSet<string> _codeProviders = FrozenSet<string>.Empty;

    /// <summary>Provider <c>type</c>s this build can create, e.g. <c>fake</c>, <c>openai</c>, <c>openai_compatible</c>.</summary>
    public IReadOnlySet<string> ProviderTypes { get => _providerTypes; init => _providerTypes = Set(value); }

    /// <summary>Canonical guardrail pack names, e.g. <c>pii</c>, <c>injection</c>, <c>regex</c>.</summary>
    public IReadOnlySet<string> GuardrailPacks { get => _guardrailPacks; init => _guardrailPacks = Set(value); }

    /// <summary>Pack aliases to canonical names, e.g. <c>aegis.pii</c> → <c>pii</c>.</summary>
    public IReadOnlyDictionary<string, string> PackAliases
    {
        get => _packAliases;
        init => _packAliases = (value ?? throw new ArgumentNullException(nameof(value))).ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Packs of the original gateway absent from this build (<c>AEG-POL-002</c>); default <see cref="GuardrailPackCatalog.AbsentOriginalPacks"/>.</summary>
    public IReadOnlySet<string> MissingPacks { get => _missingPacks; init => _missingPacks = Set(value); }

    /// <summary>Guardrails registered in code (DI) by name; a pipeline may name them and a <c>pack:</c> may too.</summary>
    public IReadOnlySet<string> CodeGuardrails { get => _codeGuardrails; init => _codeGuardrails = Set(value); }

    /// <summary>Providers registered in code (DI) by name; routes may name them.</summary>
    public IReadOnlySet<string> CodeProviders { get => _codeProviders; init => _codeProviders = Set(value); }

    /// <summary>A context whose packs come from <paramref name="catalog"/>.</summary>
    /// <param name="catalog">The guardrail packs of this build.</param>
    /// <param name="providerTypes">Provider types of this build.</param>
    /// <param name="codeGuardrails">Guardrails registered in code, or <see langword="null"/>.</param>
    /// <param name="codeProviders">Providers registered in code, or <see langword="null"/>.</param>
    /// <returns>The context.</returns>
    public static AegisValidationContext FromCatalog(
        GuardrailPackCatalog catalog,
        IEnumerable<string> providerTypes,
        IEnumerable<string>? codeGuardrails = null,
        IEnumerable<string>? codeProviders = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(providerTypes);
        return new AegisValidationContext
        {
            ProviderTypes = Set(providerTypes),
            GuardrailPacks = Set(catalog.Packs),
            PackAliases = catalog.Aliases,
            MissingPacks = Set(GuardrailPackCatalog.AbsentOriginalPacks.Where(catalog.IsKnownMissing)),
            CodeGuardrails = Set(codeGuardrails ?? []),
            CodeProviders = Set(codeProviders ?? []),
        };
    }

    /// <summary>Whether <paramref name="pack"/> (a canonical name or alias) exists.</summary>
    internal bool HasPack(string pack)
        => _guardrailPacks.Contains(_packAliases.TryGetValue(pack, out var canonical) ? canonical : pack);

    private static FrozenSet<string> Set(IEnumerable<string> names)
        => (names ?? throw new ArgumentNullException(nameof(names))).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
}
