namespace Aegis.Cli.Output;

/// <summary>Errors only the command-line tool reports (everything else comes from <see cref="AegisErrors"/>).</summary>
internal static class CliErrors
{
    /// <summary>AEG-KEY-001: <c>aegis keys revoke</c> named an id no key has.</summary>
    public static readonly AegisError KeyNotFound = new("AEG-KEY-001", 404, "API key not found", "No key in the database has this id", "List the ids with `aegis keys list` (and check --db)");
}
