namespace Aegis.Cli.Hosting;

/// <summary>
/// How the gateway's sockets hand work to threads. By default .NET's socket event thread queues every completion to
/// the thread pool and Kestrel queues every request step again, so one proxied request wakes several threads; on a
/// small machine those context switches cost more CPU than the request's own work. The gateway's request work is short
/// and never blocks for long (a key lookup, the guards, queueing a durable write), so <c>aegis</c> runs it where the
/// socket completes instead: .NET's inline socket completions (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>,
/// read once, when the first socket is created) and Kestrel's <c>UnsafePreferInlineScheduling</c>.
/// Setting <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c> before starting <c>aegis</c> turns both off.
/// </summary>
internal static class SocketThreading
{
    /// <summary>The runtime's own switch for inline socket completions (Unix only).</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Whether request work runs inline on the socket threads in this process.</summary>
    public static bool Inline { get; private set; }

    /// <summary>
    /// Turns inline completions on unless the environment already decides. Call before anything opens a socket: the
    /// runtime reads the variable once.
    /// </summary>
    public static void Configure()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var configured = Environment.GetEnvironmentVariable(InlineCompletionsVariable);
        if (configured is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
            configured = "1";
        }

        Inline = configured == "1";
    }
}
