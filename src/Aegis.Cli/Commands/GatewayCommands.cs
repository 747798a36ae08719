using System.CommandLine;
using Aegis.Cli.Hosting;
using Aegis.Cli.Output;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis dev</c> and <c>aegis serve</c>.</summary>
internal static class GatewayCommands
{
    /// <summary><c>aegis dev</c>: loopback only, no auth, the fake echo provider unless the configuration names providers.</summary>
    public static Command Dev(CliConsole console)
    {
        var host = CommonOptions.Host("127.0.0.1", "The loopback address to listen on (127.0.0.1, ::1 or localhost)");
        var port = CommonOptions.Port();
        var config = CommonOptions.Config();
        var database = CommonOptions.Database();
        var command = new Command("dev", "Run a local gateway: loopback only, no authentication (principal 'local'), the fake echo provider unless the configuration names providers")
        {
            host, port, config, database,
        };
        command.SetAction((ParseResult result, CancellationToken cancellationToken) => GatewayHost.RunAsync(
            new GatewaySettings(true, result.GetValue(host)!, result.GetValue(port), result.GetValue(config), result.GetValue(database), NoAuth: false),
            console,
            cancellationToken));
        return command;
    }

    /// <summary><c>aegis serve</c>: authenticated with Aegis keys unless <c>--no-auth</c>.</summary>
    public static Command Serve(CliConsole console)
    {
        var host = CommonOptions.Host("0.0.0.0", "The address to listen on (an IP address or localhost)");
        var port = CommonOptions.Port();
        var config = CommonOptions.Config();
        var database = CommonOptions.Database();
        var noAuth = new Option<bool>("--no-auth")
        {
            Description = "Serve without authentication (every caller is principal 'local'); only on a trusted network",
        };
        var command = new Command("serve", "Run the gateway: Aegis API keys required, providers from the configuration")
        {
            host, port, config, database, noAuth,
        };
        command.SetAction((ParseResult result, CancellationToken cancellationToken) => GatewayHost.RunAsync(
            new GatewaySettings(false, result.GetValue(host)!, result.GetValue(port), result.GetValue(config), result.GetValue(database), result.GetValue(noAuth)),
            console,
            cancellationToken));
        return command;
    }
}
