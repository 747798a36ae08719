using Aegis.Cli.Commands;

return await AegisCommandLine.InvokeAsync(args).ConfigureAwait(false);
