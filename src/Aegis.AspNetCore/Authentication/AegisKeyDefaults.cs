namespace Aegis;

/// <summary>Names of the Aegis API-key authentication scheme.</summary>
public static class AegisKeyDefaults
{
    /// <summary>The scheme name: <c>AegisKey</c>.</summary>
    public const string AuthenticationScheme = "AegisKey";
}
