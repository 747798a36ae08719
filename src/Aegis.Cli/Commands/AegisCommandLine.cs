using System.CommandLine;
using Aegis.Cli.Output;

namespace Aegis.Cli.Commands;

/// <summary>The <c>aegis</c> command tree and its invocation.</summary>
internal static class AegisCommandLine
{
    /// <summary>Builds the root command.</summary>
    public static RootCommand Build(CliConsole console) => new("aegis: the Aegis governed LLM gateway (guardrails, human approval, audit) and its tools")
    {
        GatewayCommands.Dev(console),
        GatewayCommands.Serve(console),
        KeysCommands.Create(console),
        ConfigCommands.Create(console),
        AuditCommands.Create(console),
    };

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (2 for a command-line error).</summary>
    public static async Task<int> InvokeAsync(string[] args)
    {
        var console = CliConsole.System;
        var result = Build(console).Parse(args);
        if (result.Errors.Count > 0 && result.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            foreach (var error in result.Errors)
            {
                console.Error.WriteLine("error: " + error.Message);
            }

            console.Error.WriteLine("Run 'aegis --help' (or 'aegis <command> --help') for usage.");
            return ExitCodes.Usage;
        }

        // The gateway's host handles Ctrl+C and SIGTERM itself (graceful shutdown); the parser must not race it.
        // Unexpected faults are reported as one coded line, never as a stack trace.
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        try
        {
            return await result.InvokeAsync(configuration).ConfigureAwait(false);
        }
        catch (AegisException ex)
        {
            console.WriteError(ex);
            return ExitCodes.Failure;
        }
#pragma warning disable CA1031 // The tool's last line of defence: any fault becomes a coded message and exit code 1.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            console.WriteError(AegisErrors.ServerInternal, $"{ex.GetType().Name}: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
