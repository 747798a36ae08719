namespace Aegis;

/// <summary>The built-in provider types every <c>AddAegis</c> registers (the built-in packs come with <see cref="GuardrailPackCatalog.CreateBuiltIn"/>).</summary>
internal static class BuiltIns
{
    public static void Register(AegisBuilder builder)
    {
        var providers = new ChatProviderFactory();
        foreach (var type in providers.KnownTypes)
        {
            builder.AddProviderType(type, (name, options, _) => providers.Create(name, options));
        }
    }
}
