namespace Aegis;

/// <summary>Options of a <see cref="PiiGuardrail"/>.</summary>
public sealed class PiiGuardrailOptions
{
    /// <summary>Mask (default) or block detected values.</summary>
    public PiiMode Mode { get; set; } = PiiMode.Mask;

    /// <summary>
    /// The built-in entity types to detect, by name (case-insensitive): <c>EMAIL_ADDRESS</c>, <c>PHONE_NUMBER</c>,
    /// <c>CREDIT_CARD</c>, <c>IBAN_CODE</c>, <c>US_SSN</c>, <c>IP_ADDRESS</c>, <c>URL</c>, <c>DENY_LIST</c>, <c>CUSTOM</c>.
    /// <see langword="null"/> or empty detects all. <see cref="DenyList"/> and <see cref="Patterns"/> apply whenever they are set.
    /// </summary>
    public ISet<string>? Entities { get; set; }

    /// <summary>Literal values always treated as sensitive (entity type <c>DENY_LIST</c>), matched case-insensitively as whole words.</summary>
    public IList<string>? DenyList { get; set; }

    /// <summary>Extra regular expressions whose matches are treated as sensitive (entity type <c>CUSTOM</c>).</summary>
    public IList<string>? Patterns { get; set; }

    /// <summary>The region (ISO 3166 alpha-2) assumed for phone numbers written without a country code. Default <c>US</c>.</summary>
    public string DefaultRegion { get; set; } = "US";

    /// <summary>
    /// Streaming: the number of trailing characters always held back so that a placeholder or a value split across
    /// chunks is judged whole before release. Default 64.
    /// </summary>
    public int HoldBack { get; set; } = 64;
}
