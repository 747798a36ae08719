namespace Aegis;

/// <summary>The built-in guardrail packs and provider types every <c>AddAegis</c> registers.</summary>
internal static class BuiltIns
{
    /// <summary>Packs of the original gateway that this build does not have yet (AEG-POL-002).</summary>
    private static readonly string[] MissingPacks =
    [
        "classification", "aegis.classification", "residency", "aegis.residency", "budgets", "aegis.budgets", "rate_limit", "aegis.rate_limit",
    ];

    public static void Register(AegisBuilder builder)
    {
        foreach (var pack in MissingPacks)
        {
            builder.Registry.MissingPacks.Add(pack);
        }

        var providers = new ChatProviderFactory();
        foreach (var type in providers.KnownTypes)
        {
            builder.AddProviderType(type, (name, options, _) => providers.Create(name, options));
        }
    }
}
