using Aegis.Cli.Output;

namespace Aegis.Cli.Commands;

/// <summary>Runs a command body and turns a coded failure into its message and exit code 1, never a stack trace.</summary>
internal static class CommandRunner
{
    /// <summary>Runs <paramref name="body"/>.</summary>
    public static async Task<int> RunAsync(CliConsole console, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (AegisException ex)
        {
            console.WriteError(ex);
            return ExitCodes.Failure;
        }
    }
}
