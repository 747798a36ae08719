namespace Aegis;

/// <summary>Authentication (<c>auth:</c>).</summary>
public sealed class AuthOptions
{
    /// <summary><c>keys</c> (default: Aegis API keys), <c>none</c> (dev only) or <c>host</c> (the host's own ASP.NET Core authentication).</summary>
    public string? Mode { get; set; }
}
