namespace Aegis.Guardrails.Injection;

/// <summary>The pattern families of the injection pack, as flags so a guard can hold its selection in one value.</summary>
[Flags]
internal enum InjectionFamily
{
    /// <summary>No family.</summary>
    None = 0,

    /// <summary>Attempts to cancel or replace the instructions the model was given.</summary>
    InstructionOverride = 1,

    /// <summary>Fake system or developer turns, chat-template tokens, jailbreak personas.</summary>
    RoleImpersonation = 2,

    /// <summary>Requests to reveal the system prompt or hidden instructions.</summary>
    PromptLeak = 4,

    /// <summary>Base64 or hex blobs that decode to an attack, invisible tag characters, hidden zero-width text.</summary>
    EncodedPayload = 8,

    /// <summary>Every family.</summary>
    All = InstructionOverride | RoleImpersonation | PromptLeak | EncodedPayload,
}

/// <summary>Wire names of <see cref="InjectionFamily"/> values.</summary>
internal static class InjectionFamilyNames
{
    /// <summary>The allowed names, in the order used in error messages.</summary>
    public const string AllowedList = "instruction_override, role_impersonation, prompt_leak, encoded_payload";

    /// <summary>The wire name of a single family.</summary>
    public static string ToWire(InjectionFamily family) => family switch
    {
        InjectionFamily.InstructionOverride => "instruction_override",
        InjectionFamily.RoleImpersonation => "role_impersonation",
        InjectionFamily.PromptLeak => "prompt_leak",
        InjectionFamily.EncodedPayload => "encoded_payload",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, null),
    };

    /// <summary>Parses one wire name (exact, lower-case); returns <see langword="false"/> for anything else.</summary>
    public static bool TryParse(string? value, out InjectionFamily family)
    {
        switch (value)
        {
            case "instruction_override": family = InjectionFamily.InstructionOverride; return true;
            case "role_impersonation": family = InjectionFamily.RoleImpersonation; return true;
            case "prompt_leak": family = InjectionFamily.PromptLeak; return true;
            case "encoded_payload": family = InjectionFamily.EncodedPayload; return true;
            default: family = InjectionFamily.None; return false;
        }
    }
}
