using Aegis.Cli.Commands;
using Aegis.Cli.Hosting;

// Before any socket exists: the runtime reads this setting when it creates its first one.
SocketThreading.Configure();

return await AegisCommandLine.InvokeAsync(args).ConfigureAwait(false);
