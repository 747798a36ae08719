using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Aegis.Cli.Hosting.Logging;

/// <summary>
/// One line per entry: <c>12:00:01 warn Aegis.AegisEngine: message</c>. An exception adds its type and the
/// first line of its message, never a stack trace (Aegis messages carry codes and never secrets).
/// </summary>
internal sealed class ConciseConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    /// <summary>The formatter's registration name.</summary>
    public const string FormatterName = "aegis";

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception) ?? logEntry.State?.ToString() ?? string.Empty;
        textWriter.Write(TimeProvider.System.GetLocalNow().ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write(' ');
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(' ');
        textWriter.Write(logEntry.Category);
        textWriter.Write(": ");
        textWriter.Write(FirstLine(message));
        if (logEntry.Exception is { } exception)
        {
            var inner = exception is AegisException ? exception : exception.GetBaseException();
            textWriter.Write(" [");
            textWriter.Write(inner.GetType().Name);
            textWriter.Write(": ");
            textWriter.Write(FirstLine(inner.Message));
            textWriter.Write(']');
        }

        textWriter.WriteLine();
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
