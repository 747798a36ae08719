namespace Aegis.Cli.Tests.Infrastructure;

/// <summary>What a finished <c>aegis</c> process left behind.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>Both streams, for assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}
