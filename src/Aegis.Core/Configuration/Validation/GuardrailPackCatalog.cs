namespace Aegis;

/// <summary>
/// The guardrail packs this build can instantiate from configuration (<c>pack:</c>): canonical names,
/// aliases (the original gateway's names such as <c>aegis.pii</c>), and a factory per pack. Names
/// are case-insensitive. Also knows the original gateway's packs that this build does not have, so
/// they fail with <c>AEG-POL-002</c> instead of "not found". Built once at start-up; not thread-safe
/// for registration.
/// </summary>
public sealed class GuardrailPackCatalog
{
    private readonly Dictionary<string, (string Name, Func<string, GuardrailOptions, IGuardrail> Factory)> _factories = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _aliases = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Packs of the original gateway that are absent from this build: <c>classification</c>,
    /// <c>residency</c>, <c>budgets</c>, <c>rate_limit</c> and their <c>aegis.</c> names.
    /// </summary>
    public static IReadOnlyList<string> AbsentOriginalPacks { get; } =
    [
        "classification", "aegis.classification",
        "residency", "aegis.residency",
        "budgets", "aegis.budgets",
        "rate_limit", "aegis.rate_limit",
    ];

    /// <summary>
    /// A catalog holding the built-in packs every <c>AddAegis</c> registers: <c>pii</c> (alias
    /// <c>aegis.pii</c>), <c>injection</c> (aliases <c>aegis.regex_guard</c>, <c>aegis.injection</c>) and
    /// <c>regex</c> (alias <c>aegis.regex</c>). Tools that validate configuration offline start here.
    /// </summary>
    public static GuardrailPackCatalog CreateBuiltIn() => new GuardrailPackCatalog()
        .Register("pii", PiiGuardrail.Create, "aegis.pii")
        .Register("injection", InjectionGuardrail.Create, "aegis.regex_guard", "aegis.injection")
        .Register("regex", RegexGuardrail.Create, "aegis.regex");

    /// <summary>The canonical pack names, in registration order.</summary>
    public IReadOnlyCollection<string> Packs => _factories.Keys;

    /// <summary>Aliases to canonical names.</summary>
    public IReadOnlyDictionary<string, string> Aliases => _aliases;

    /// <summary>Registers a pack under <paramref name="name"/> and optional aliases.</summary>
    /// <param name="name">The canonical name, e.g. <c>pii</c>.</param>
    /// <param name="factory">Builds the guardrail from its name (the key under <c>guardrails</c>) and options.</param>
    /// <param name="aliases">Other names that resolve to it, e.g. <c>aegis.pii</c>.</param>
    /// <returns>This catalog.</returns>
    /// <exception cref="AegisException"><c>AEG-CFG-021</c> when a name or alias is already taken.</exception>
    public GuardrailPackCatalog Register(string name, Func<string, GuardrailOptions, IGuardrail> factory, params IEnumerable<string> aliases)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(aliases);
        var aliasList = aliases.ToList();
        EnsureFree(name);
        foreach (var alias in aliasList)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(alias, nameof(aliases));
            EnsureFree(alias);
        }

        _factories.Add(name, (name, factory));
        foreach (var alias in aliasList)
        {
            _aliases.Add(alias, name);
        }

        return this;
    }

    /// <summary>Adds <paramref name="alias"/> for the registered pack <paramref name="pack"/>.</summary>
    /// <param name="alias">The other name.</param>
    /// <param name="pack">A registered canonical name.</param>
    /// <returns>This catalog.</returns>
    /// <exception cref="AegisException"><c>AEG-CFG-021</c> when the alias is taken; <c>AEG-CFG-022</c> when the pack is not registered.</exception>
    public GuardrailPackCatalog AddAlias(string alias, string pack)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        ArgumentException.ThrowIfNullOrWhiteSpace(pack);
        if (!_factories.ContainsKey(pack))
        {
            throw new AegisException(AegisErrors.ConfigPluginNotFound, $"alias '{alias}': guardrail pack '{pack}' is not registered");
        }

        EnsureFree(alias);
        _aliases.Add(alias, pack);
        return this;
    }

    /// <summary>Resolves a pack name or alias.</summary>
    /// <param name="pack">The name as written under <c>pack:</c>.</param>
    /// <param name="canonical">The canonical name, when found.</param>
    /// <param name="factory">The pack's factory, when found.</param>
    /// <returns>Whether the pack exists in this build.</returns>
    public bool TryResolve(string pack, out string canonical, out Func<string, GuardrailOptions, IGuardrail> factory)
    {
        ArgumentNullException.ThrowIfNull(pack);
        if (_factories.TryGetValue(_aliases.TryGetValue(pack, out var target) ? target : pack, out var found))
        {
            (canonical, factory) = found;
            return true;
        }

        canonical = string.Empty;
        factory = null!;
        return false;
    }

    /// <summary>Whether <paramref name="pack"/> is an original-gateway pack that this build does not have (and nobody registered).</summary>
    /// <param name="pack">The name as written under <c>pack:</c>.</param>
    /// <returns><see langword="true"/> for <c>classification</c>, <c>aegis.residency</c>, ... when not registered.</returns>
    public bool IsKnownMissing(string pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        return !TryResolve(pack, out _, out _) && AbsentOriginalPacks.Contains(pack, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Builds the guardrail <paramref name="name"/> from its options.</summary>
    /// <param name="name">The guardrail's name (its key under <c>guardrails</c>).</param>
    /// <param name="options">Its options; <see cref="GuardrailOptions.Pack"/> selects the pack.</param>
    /// <returns>The guardrail.</returns>
    /// <exception cref="AegisException">
    /// <c>AEG-CFG-003</c> without <c>pack</c>; <c>AEG-POL-002</c> for a known-missing pack;
    /// <c>AEG-CFG-022</c> for an unknown one; <c>AEG-CFG-020</c> when the factory fails with anything
    /// other than an <see cref="AegisException"/> (which passes through).
    /// </exception>
    public IGuardrail Create(string name, GuardrailOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        var path = "guardrails." + name.ToLowerInvariant() + ".pack";
        if (string.IsNullOrWhiteSpace(options.Pack))
        {
            throw new AegisException(AegisErrors.ConfigMissingField, path);
        }

        if (!TryResolve(options.Pack, out var canonical, out var factory))
        {
            throw IsKnownMissing(options.Pack)
                ? new AegisException(AegisErrors.PolicyMissingPack, $"{path}: '{options.Pack}' is not available in this build")
                : new AegisException(AegisErrors.ConfigPluginNotFound, $"{path}: '{options.Pack}' is not a guardrail pack");
        }

        try
        {
            return factory(name, options);
        }
        catch (Exception ex) when (ex is not AegisException and not OperationCanceledException)
        {
            throw new AegisException(AegisErrors.ConfigPluginLoad, $"guardrails.{name.ToLowerInvariant()}: pack '{canonical}' failed to build ({ex.GetType().Name})", ex);
        }
    }

    private void EnsureFree(string name)
    {
        if (_factories.ContainsKey(name) || _aliases.ContainsKey(name))
        {
            throw new AegisException(AegisErrors.ConfigDuplicate, $"guardrail pack '{name}' is already registered");
        }
    }
}
