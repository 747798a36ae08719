using Microsoft.AspNetCore.Authentication;

namespace Aegis;

/// <summary>Options of the <c>AegisKey</c> authentication scheme.</summary>
public sealed class AegisKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>
    /// How often a key's "last used" time is written at most (default one minute): a request never waits
    /// for that write, and a busy key does not turn every request into a store write.
    /// </summary>
    public TimeSpan LastUsedUpdateInterval { get; set; } = TimeSpan.FromMinutes(1);
}
