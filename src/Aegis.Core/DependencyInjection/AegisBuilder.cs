using Aegis.Pipeline;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Aegis;

/// <summary>
/// Returned by <c>services.AddAegis(...)</c>: registers guardrails, providers, packs and provider
/// types by name in code, and is what storage packages extend (<c>.UseSqlite(path)</c>).
/// Names registered here are referenced from configuration exactly like the built-ins.
/// </summary>
public sealed class AegisBuilder
{
    internal AegisBuilder(IServiceCollection services, AegisRegistry registry)
    {
        Services = services;
        Registry = registry;
    }

    /// <summary>The service collection Aegis was added to.</summary>
    public IServiceCollection Services { get; }

    internal AegisRegistry Registry { get; }

    /// <summary>Registers a guardrail instance under <paramref name="name"/> (usable in any pipeline stage).</summary>
    public AegisBuilder AddGuardrail(string name, IGuardrail guardrail)
    {
        ArgumentNullException.ThrowIfNull(guardrail);
        return AddGuardrail(name, _ => guardrail);
    }

    /// <summary>Registers a guardrail factory under <paramref name="name"/>; it is called once, when pipelines are compiled.</summary>
    public AegisBuilder AddGuardrail(string name, Func<IServiceProvider, IGuardrail> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!Registry.Guardrails.TryAdd(name, factory))
        {
            throw new AegisException(AegisErrors.ConfigDuplicate, $"guardrail '{name}' is registered twice");
        }

        return this;
    }

    /// <summary>Registers a provider (any <see cref="IChatClient"/>) under <paramref name="name"/>.</summary>
    public AegisBuilder AddProvider(string name, IChatClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return AddProvider(name, _ => client);
    }

    /// <summary>Registers a provider factory under <paramref name="name"/>; it is called once, when pipelines are compiled.</summary>
    public AegisBuilder AddProvider(string name, Func<IServiceProvider, IChatClient> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!Registry.Providers.TryAdd(name, factory))
        {
            throw new AegisException(AegisErrors.ConfigDuplicate, $"provider '{name}' is registered twice");
        }

        return this;
    }

    /// <summary>
    /// Registers a guardrail pack: configuration entries with <c>pack: <paramref name="pack"/></c> (or one of
    /// <paramref name="aliases"/>) are built by <paramref name="factory"/> from their name and options.
    /// A guardrail that needs services is registered with <see cref="AddGuardrail(string, Func{IServiceProvider, IGuardrail})"/> instead.
    /// </summary>
    public AegisBuilder AddGuardrailPack(string pack, Func<string, GuardrailOptions, IGuardrail> factory, params string[] aliases)
    {
        Registry.Packs.Register(pack, factory, aliases);
        return this;
    }

    /// <summary>Registers a provider type: configuration entries with <c>type: <paramref name="type"/></c> are built by <paramref name="factory"/>.</summary>
    public AegisBuilder AddProviderType(string type, Func<string, ProviderOptions, IServiceProvider, IChatClient> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(factory);
        Registry.ProviderTypes[type] = factory;
        return this;
    }
}
