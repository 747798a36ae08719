using System.Buffers;

namespace Aegis.Guardrails.Injection;

/// <summary>Runs the selected families over one text. Stateless apart from the selection; thread-safe.</summary>
internal sealed class InjectionScanner
{
    private readonly InjectionFamily _families;

    /// <summary>Creates a scanner for <paramref name="families"/>.</summary>
    public InjectionScanner(InjectionFamily families) => _families = families;

    /// <summary>
    /// Returns the first family (in the order instruction_override, role_impersonation, prompt_leak,
    /// encoded_payload) that matches <paramref name="text"/>, or <see cref="InjectionFamily.None"/>.
    /// </summary>
    public InjectionFamily Scan(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return InjectionFamily.None;
        }

        if ((_families & InjectionPatterns.TextFamilies) != 0)
        {
            char[]? rented = null;
            try
            {
                var normalized = InjectionTextNormalizer.Normalize(text, ref rented);
                var family = InjectionPatterns.FirstMatch(normalized, _families);
                if (family != InjectionFamily.None)
                {
                    return family;
                }
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<char>.Shared.Return(rented);
                }
            }
        }

        if (Has(InjectionFamily.EncodedPayload)
            && (EncodedPayloadDetector.HasHiddenCharacters(text) || EncodedPayloadDetector.HasEncodedInjection(text)))
        {
            return InjectionFamily.EncodedPayload;
        }

        return InjectionFamily.None;
    }

    private bool Has(InjectionFamily family) => (_families & family) != 0;
}
