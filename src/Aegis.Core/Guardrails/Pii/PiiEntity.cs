namespace Aegis.Guardrails.Pii;

/// <summary>The entity types of the <c>pii</c> pack, in the order reasons list them.</summary>
internal enum PiiEntity
{
    EmailAddress,
    PhoneNumber,
    CreditCard,
    IbanCode,
    UsSsn,
    IpAddress,
    Url,
    DenyList,
    Custom,

    /// <summary>Not an entity: a placeholder of the run found in egress text (to be restored).</summary>
    Placeholder,
}

/// <summary>Names of <see cref="PiiEntity"/> as used in placeholders and configuration.</summary>
internal static class PiiEntities
{
    /// <summary>Number of detectable entity types (excludes <see cref="PiiEntity.Placeholder"/>).</summary>
    public const int Count = 9;

    private static readonly string[] Names =
    [
        "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS", "URL", "DENY_LIST", "CUSTOM",
    ];

    /// <summary>All names, comma-separated, for error messages.</summary>
    public static string AllNames { get; } = string.Join(", ", Names);

    /// <summary>The upper-case name of <paramref name="entity"/>.</summary>
    public static string Name(PiiEntity entity) => Names[(int)entity];

    /// <summary>Parses a name case-insensitively.</summary>
    public static bool TryParse(string? name, out PiiEntity entity)
    {
        if (name is not null)
        {
            var trimmed = name.AsSpan().Trim();
            for (var i = 0; i < Names.Length; i++)
            {
                if (trimmed.Equals(Names[i], StringComparison.OrdinalIgnoreCase))
                {
                    entity = (PiiEntity)i;
                    return true;
                }
            }
        }

        entity = default;
        return false;
    }

    /// <summary>
    /// Tie-break between overlapping detections of equal length: checksum-validated types first, then the
    /// more specific shapes; higher wins.
    /// </summary>
    public static int Specificity(PiiEntity entity) => entity switch
    {
        PiiEntity.CreditCard => 9,
        PiiEntity.IbanCode => 8,
        PiiEntity.UsSsn => 7,
        PiiEntity.EmailAddress => 6,
        PiiEntity.IpAddress => 5,
        PiiEntity.Url => 4,
        PiiEntity.DenyList => 3,
        PiiEntity.Custom => 2,
        PiiEntity.PhoneNumber => 1,
        _ => 0,
    };

    /// <summary>Whether the type is confirmed by a checksum or a strict structural rule (wins over a phone-number reading).</summary>
    public static bool IsChecked(PiiEntity entity) =>
        entity is PiiEntity.CreditCard or PiiEntity.IbanCode or PiiEntity.UsSsn;
}
