namespace Aegis;

/// <summary>How the HTTP endpoints of <c>MapAegis()</c> find the caller's principal.</summary>
public enum AegisAuthMode
{
    /// <summary>Aegis API keys: <c>Authorization: Bearer aeg-&lt;64 hex&gt;</c>, looked up in the <see cref="IApiKeyStore"/> (the default).</summary>
    Keys,

    /// <summary>No authentication: every request runs as <see cref="Principal.Local"/>. For development on loopback only.</summary>
    None,

    /// <summary>The host's own ASP.NET Core authentication: the principal comes from the request's authenticated <c>ClaimsPrincipal</c>.</summary>
    Host,
}
