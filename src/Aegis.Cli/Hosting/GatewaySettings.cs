namespace Aegis.Cli.Hosting;

/// <summary>What <c>aegis dev</c> and <c>aegis serve</c> were asked for.</summary>
/// <param name="Dev">Whether this is <c>aegis dev</c> (loopback only, auth off, the fake provider when none is configured).</param>
/// <param name="Host">The <c>--host</c> value: an IP address or <c>localhost</c>.</param>
/// <param name="Port">The <c>--port</c> value (0 picks a free port).</param>
/// <param name="ConfigPath">The <c>--config</c> value, or <see langword="null"/> for <c>aegis.yaml</c> when present.</param>
/// <param name="DatabasePath">The <c>--db</c> value, or <see langword="null"/> for <c>persistence.path</c> (default <c>aegis.db</c>).</param>
/// <param name="NoAuth">Whether <c>--no-auth</c> was given (serve only).</param>
internal sealed record GatewaySettings(bool Dev, string Host, int Port, string? ConfigPath, string? DatabasePath, bool NoAuth)
{
    /// <summary>The command's name for messages.</summary>
    public string CommandName => Dev ? "aegis dev" : "aegis serve";
}
