using System.Net;

namespace Aegis.Cli.Hosting;

/// <summary>A parsed <c>--host</c>: an IP address, or <c>localhost</c> (both loopback addresses).</summary>
internal sealed record ListenAddress(string Host, IPAddress? Address)
{
    /// <summary>Whether only this machine can connect.</summary>
    public bool IsLoopback => Address is null || IPAddress.IsLoopback(Address);

    /// <summary>Whether this is the wildcard address (0.0.0.0 or ::), which clients reach as 127.0.0.1.</summary>
    public bool IsAny => Address is not null && (Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any));

    /// <summary>Parses <paramref name="host"/>, or returns <see langword="null"/> when it is neither an IP address nor <c>localhost</c>.</summary>
    public static ListenAddress? TryParse(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new ListenAddress("localhost", null);
        }

        var trimmed = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(trimmed, out var address) ? new ListenAddress(host, address) : null;
    }

    /// <summary>The host as clients should write it in a URL (the wildcard becomes 127.0.0.1, IPv6 gets brackets).</summary>
    public string ForUrl(bool forClients)
    {
        if (Address is null)
        {
            return Host;
        }

        if (forClients && IsAny)
        {
            return "127.0.0.1";
        }

        return Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString();
    }
}
