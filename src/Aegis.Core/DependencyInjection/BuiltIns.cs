namespace Aegis;

/// <summary>The built-in guardrail packs and provider types every <c>AddAegis</c> registers.</summary>
internal static class BuiltIns
{
    public static void Register(AegisBuilder builder)
    {
        builder.AddGuardrailPack("pii", PiiGuardrail.Create, "aegis.pii");
        builder.AddGuardrailPack("injection", InjectionGuardrail.Create, "aegis.regex_guard", "aegis.injection");
        builder.AddGuardrailPack("regex", RegexGuardrail.Create, "aegis.regex");

        var providers = new ChatProviderFactory();
        foreach (var type in providers.KnownTypes)
        {
            builder.AddProviderType(type, (name, options, _) => providers.Create(name, options));
        }
    }
}
