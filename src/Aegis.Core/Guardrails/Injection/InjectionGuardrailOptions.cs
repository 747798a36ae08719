namespace Aegis;

/// <summary>Options of an <see cref="InjectionGuardrail"/>.</summary>
public sealed class InjectionGuardrailOptions
{
    /// <summary>
    /// The pattern families to use, by wire name: <c>instruction_override</c>, <c>role_impersonation</c>,
    /// <c>prompt_leak</c>, <c>encoded_payload</c>. <see langword="null"/> or empty uses all of them.
    /// </summary>
    public ISet<string>? Families { get; set; }
}
