using System.Security.Claims;

namespace Aegis;

/// <summary>Options of the Aegis HTTP surface (<c>services.AddAegisHttp(o =&gt; ...)</c>).</summary>
public sealed class AegisHttpOptions
{
    /// <summary>The default body limit: 4 MiB.</summary>
    public const long DefaultMaxRequestBodyBytes = 4 * 1024 * 1024;

    /// <summary>
    /// How callers are authenticated. <see langword="null"/> (the default) takes <c>auth.mode</c> from the
    /// Aegis configuration (<c>keys</c>, <c>none</c> or <c>host</c>), and <see cref="AegisAuthMode.Keys"/> when that is unset too.
    /// </summary>
    public AegisAuthMode? AuthMode { get; set; }

    /// <summary>The largest request body accepted, in bytes (default 4 MiB); larger bodies get <c>413 AEG-REQ-004</c>.</summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>
    /// <see cref="AegisAuthMode.Host"/>: the claim that carries the principal id (default <see cref="ClaimTypes.NameIdentifier"/>;
    /// <c>sub</c> and the identity name are tried after it).
    /// </summary>
    public string PrincipalIdClaimType { get; set; } = ClaimTypes.NameIdentifier;

    /// <summary><see cref="AegisAuthMode.Host"/>: the claim that carries the principal's team (default <c>team</c>).</summary>
    public string TeamClaimType { get; set; } = "team";
}
