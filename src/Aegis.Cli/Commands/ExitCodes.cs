namespace Aegis.Cli.Commands;

/// <summary>The process exit codes of every command (documented in docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>A coded failure: bad configuration or database, a refused start, an unknown id, a broken audit chain.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong: an unknown option, a bad value, a non-loopback <c>aegis dev --host</c>.</summary>
    public const int Usage = 2;
}
