namespace Aegis.Cli.Output;

/// <summary>
/// Where the tool writes: data and banners to standard output, warnings and coded errors to standard error.
/// Errors are one line <c>error CODE: what — detail</c> and a <c>fix:</c> line, never a stack trace.
/// </summary>
internal sealed class CliConsole(TextWriter output, TextWriter error)
{
    /// <summary>The process console.</summary>
    public static CliConsole System { get; } = new(Console.Out, Console.Error);

    /// <summary>Standard output.</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>Writes a coded error.</summary>
    public void WriteError(AegisException exception) => WriteError(exception.Error, exception.Detail);

    /// <summary>Writes a coded error with an optional detail (which names the key, flag, path or id).</summary>
    public void WriteError(AegisError error, string? detail)
    {
        Error.WriteLine(detail is null ? $"error {error.Code}: {error.What}" : $"error {error.Code}: {error.What} — {detail}");
        Error.WriteLine($"  fix: {error.Fix}");
    }

    /// <summary>Writes a warning line.</summary>
    public void WriteWarning(string message) => Error.WriteLine("warning: " + message);
}
