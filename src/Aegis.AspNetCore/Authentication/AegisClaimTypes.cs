namespace Aegis;

/// <summary>Claim types the <c>AegisKey</c> authentication scheme issues (and that a host's own scheme may issue too).</summary>
public static class AegisClaimTypes
{
    /// <summary>The principal id.</summary>
    public const string PrincipalId = "aegis:principal_id";

    /// <summary>The principal's team.</summary>
    public const string Team = "aegis:team";

    /// <summary>One principal label, as <c>name=value</c> (one claim per label).</summary>
    public const string Label = "aegis:label";

    /// <summary>The id of the API key that authenticated the request (not the key itself).</summary>
    public const string KeyId = "aegis:key_id";
}
