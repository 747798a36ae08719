using System.Globalization;
using Aegis.Cli.Commands;
using Aegis.Cli.Hosting.Logging;
using Aegis.Cli.Output;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Aegis.Cli.Hosting;

/// <summary>
/// Runs the gateway for <c>aegis dev</c> and <c>aegis serve</c>: Kestrel on one address, the Aegis engine
/// on the SQLite database, <c>MapAegis()</c> at the root. Start-up checks fail with coded messages.
/// </summary>
internal static class GatewayHost
{
    /// <summary>The provider <c>aegis dev</c> adds when the configuration names none.</summary>
    public const string DevProviderName = "fake";

    /// <summary>Starts the gateway and serves until Ctrl+C or SIGTERM; returns the exit code.</summary>
    public static async Task<int> RunAsync(GatewaySettings settings, CliConsole console, CancellationToken cancellationToken)
    {
        var address = ListenAddress.TryParse(settings.Host);
        if (address is null)
        {
            console.WriteError(AegisErrors.ServerStartup, $"--host {settings.Host}: not an IP address or localhost (use e.g. 127.0.0.1, 0.0.0.0 or ::1)");
            return ExitCodes.Usage;
        }

        if (settings.Dev && !address.IsLoopback)
        {
            console.WriteError(AegisErrors.ServerStartup, $"--host {settings.Host}: aegis dev listens on loopback only (127.0.0.1, ::1 or localhost) because it has no authentication; use aegis serve to listen on other addresses");
            return ExitCodes.Usage;
        }

        WebApplication? app = null;
        var started = false;
        try
        {
            var flags = settings.DatabasePath is null ? null : new Dictionary<string, string?> { [CliConfiguration.PersistencePathKey] = settings.DatabasePath };
            var sources = CliConfiguration.Build(settings.ConfigPath, flags);

            // Bind once up front so configuration problems are reported before anything listens.
            var options = AegisOptionsBinder.Bind(sources.Configuration);
            var database = CliDatabase.ResolvePath(settings.DatabasePath, options);
            var authMode = ResolveAuthMode(settings, options);
            var devProvider = settings.Dev && options.Providers.Count == 0;
            if (!settings.Dev && options.Providers.Count == 0)
            {
                throw new AegisException(AegisErrors.ServerStartup, $"providers: no provider is configured ({sources.Describe()}); aegis serve does not invent one. Add a provider to the configuration, or run `aegis dev` for a local gateway with the fake echo provider");
            }

            app = Build(settings, address, sources, database, authMode, devProvider);
            await StartAsync(app, settings, address, cancellationToken).ConfigureAwait(false);
            started = true;

            var listening = ListeningUri(app, address, settings.Port);
            if (authMode == AegisAuthMode.None && !settings.Dev)
            {
                WriteNoAuthWarning(console);
            }

            if (authMode == AegisAuthMode.Keys)
            {
                await WarnWithoutKeysAsync(app, console, database, cancellationToken).ConfigureAwait(false);
            }

            WriteBanner(console, settings, app, address, listening, authMode, devProvider, database);
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (FindAegisException(ex) is { } aegis)
        {
            console.WriteError(aegis);
            return ExitCodes.Failure;
        }
        finally
        {
            if (app is not null)
            {
                await DisposeQuietlyAsync(app, started).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The authentication mode: dev and <c>--no-auth</c> turn it off; otherwise Aegis keys, and a configuration
    /// that turns auth off (or expects a host authenticator the tool does not have) is refused.
    /// </summary>
    internal static AegisAuthMode ResolveAuthMode(GatewaySettings settings, AegisOptions options)
    {
        if (settings.Dev || settings.NoAuth)
        {
            return AegisAuthMode.None;
        }

        var mode = options.Auth.Mode?.Trim();
        if (string.Equals(mode, "none", StringComparison.OrdinalIgnoreCase))
        {
            throw new AegisException(AegisErrors.ServerStartup, "auth.mode: none turns authentication off and aegis serve refuses to start without an authenticator; remove auth.mode to use Aegis keys, or pass --no-auth on a trusted network");
        }

        if (string.Equals(mode, "host", StringComparison.OrdinalIgnoreCase))
        {
            throw new AegisException(AegisErrors.ServerStartup, "auth.mode: host needs the host application's own authentication, which aegis serve does not have; use auth.mode: keys (the default), or call MapAegis() in your own ASP.NET Core app");
        }

        // keys, unset, or an unknown value (which the configuration validator reports as AEG-CFG-004 at start-up).
        return AegisAuthMode.Keys;
    }

    private static WebApplication Build(GatewaySettings settings, ListenAddress address, CliConfigurationSources sources, string database, AegisAuthMode authMode, bool devProvider)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = "aegis",
            ContentRootPath = Directory.GetCurrentDirectory(),
        });

        // Only the tool's own sources, in its own precedence order (appsettings.json, YAML, AEGIS__ variables, flags).
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(sources.Configuration);
        ConfigureLogging(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel => Listen(kestrel, address, settings.Port));
        if (SocketThreading.Inline)
        {
            // Request steps run on the thread that completed the socket read, not queued once more (see SocketThreading).
            builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        }

        builder.Services.AddAegis(sources.Configuration, options =>
        {
            if (devProvider)
            {
                options.Providers[DevProviderName] = new ProviderOptions { Type = ProviderTypes.Fake, Echo = true };
                if (options.Routes.Count == 0)
                {
                    options.Routes["default"] = new AegisRouteOptions { Provider = DevProviderName };
                }

                // A configuration that names nothing gets the built-in governance, so dev shows what Aegis does.
                if (options.Guardrails.Count == 0 && IsEmpty(options.Pipeline))
                {
                    options.Guardrails["pii"] = new GuardrailOptions { Pack = "pii", Mode = "mask" };
                    options.Guardrails["injection"] = new GuardrailOptions { Pack = "injection" };
                    options.Pipeline = new PipelineOptions { Ingress = ["pii", "injection"], ToolResult = ["injection"], Egress = ["pii"] };
                }
            }

            // The tool always keeps runs, the audit ledger and keys in the SQLite file.
            options.Persistence.Type = "sqlite";
            options.Persistence.Path = database;
        }).UseSqlite();
        builder.Services.AddAegisHttp(http => http.AuthMode = authMode);

        var app = builder.Build();
        app.MapAegis();
        return app;
    }

    private static bool IsEmpty(PipelineOptions pipeline) =>
        pipeline.Ingress is null or { Count: 0 } && pipeline.ToolCall is null or { Count: 0 } && pipeline.ToolResult is null or { Count: 0 } && pipeline.Egress is null or { Count: 0 };

    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddConsole(console => console.FormatterName = ConciseConsoleFormatter.FormatterName);
        logging.AddConsoleFormatter<ConciseConsoleFormatter, ConsoleFormatterOptions>();
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("Aegis", LogLevel.Information);

        // The tool reports start-up failures itself, as one coded message; the host's own "failed to start" is noise.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        // ASP.NET Core starts an Activity for every request while this category is enabled at any level (for log
        // scopes), and the upstream HttpClient then starts a child and writes its traceparent: two activities and a
        // header per request that nothing here records. The category logs only Information request lines, which the
        // tool does not show; an ActivityListener (OpenTelemetry tracing in a host app) still gets its activities.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
    }

    private static void Listen(KestrelServerOptions kestrel, ListenAddress address, int port)
    {
        if (address.Address is null)
        {
            kestrel.ListenLocalhost(port);
        }
        else
        {
            kestrel.Listen(address.Address, port);
        }
    }

    private static async Task StartAsync(WebApplication app, GatewaySettings settings, ListenAddress address, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or AddressInUseException && FindAegisException(ex) is null)
        {
            var why = ex is AddressInUseException || ex.InnerException is AddressInUseException
                ? "the address is already in use (another aegis or another server listens there); pick another --port or stop the other process"
                : $"cannot listen there ({ex.GetBaseException().Message})";
            throw new AegisException(AegisErrors.ServerStartup, $"--port {settings.Port.ToString(CultureInfo.InvariantCulture)} on {address.Host}: {why}", ex);
        }
    }

    private static Uri ListeningUri(WebApplication app, ListenAddress address, int port)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var actualPort = port;
        foreach (var bound in addresses ?? [])
        {
            if (Uri.TryCreate(bound, UriKind.Absolute, out var uri))
            {
                actualPort = uri.Port;
                break;
            }
        }

        return new Uri($"http://{address.ForUrl(forClients: true)}:{actualPort.ToString(CultureInfo.InvariantCulture)}");
    }

    private static async Task WarnWithoutKeysAsync(WebApplication app, CliConsole console, string database, CancellationToken cancellationToken)
    {
        var keys = await app.Services.GetRequiredService<IApiKeyStore>().ListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var key in keys)
        {
            if (!key.IsRevoked)
            {
                return;
            }
        }

        console.WriteWarning($"there is no active API key in {database}, so every request will get 401 AEG-AUTH-001. Create one with: aegis keys create --name NAME --principal ID --db {database}");
    }

    private static void WriteNoAuthWarning(CliConsole console)
    {
        console.Error.WriteLine("warning: ****************************************************************");
        console.Error.WriteLine("warning: --no-auth: AUTHENTICATION IS OFF. Anyone who can reach this port");
        console.Error.WriteLine("warning: runs models, reads the audit and approves runs as principal 'local'.");
        console.Error.WriteLine("warning: Use it only on a trusted network; remove --no-auth to require keys.");
        console.Error.WriteLine("warning: ****************************************************************");
    }

    private static void WriteBanner(CliConsole console, GatewaySettings settings, WebApplication app, ListenAddress address, Uri listening, AegisAuthMode authMode, bool devProvider, string database)
    {
        var routes = app.Services.GetRequiredService<AegisEngine>().Routes;
        var route = "default";
        if (routes.Count > 0 && !routes.Any(r => r.Name == "default"))
        {
            route = routes[0].Name;
        }

        var baseUrl = listening.ToString().TrimEnd('/');
        var bind = address.IsAny ? $" (listening on {address.ForUrl(forClients: false)}:{listening.Port.ToString(CultureInfo.InvariantCulture)})" : string.Empty;
        var providers = devProvider ? "fake (echo)" : string.Join(", ", routes.Select(r => r.Provider).Distinct(StringComparer.OrdinalIgnoreCase));
        var auth = authMode == AegisAuthMode.None ? "off (every request runs as principal 'local')" : "Aegis API keys (Authorization: Bearer aeg-...)";
        var header = authMode == AegisAuthMode.Keys ? " -H \"Authorization: Bearer $AEGIS_KEY\"" : string.Empty;

        console.Out.WriteLine($"Aegis gateway ({settings.CommandName}) at {baseUrl}/v1{bind}");
        console.Out.WriteLine($"  auth: {auth}");
        console.Out.WriteLine($"  routes: {string.Join(", ", routes.Select(r => r.Name))}; providers: {providers}; database: {database}");
        var first = routes.FirstOrDefault(r => r.Name == route);
        if (first is not null)
        {
            console.Out.WriteLine($"  guards on '{first.Name}': ingress [{string.Join(", ", first.Ingress)}], egress [{string.Join(", ", first.Egress)}]{(first.StreamsIncrementally ? string.Empty : $" (streams buffered: '{first.BufferingGuard}' is not incremental)")}");
        }

        console.Out.WriteLine($"  approvals: {baseUrl}/approvals  metrics: {baseUrl}/metrics  health: {baseUrl}/healthz");
        console.Out.WriteLine($"  try: curl -s {baseUrl}/v1/chat/completions{header} -H \"Content-Type: application/json\" -d '{{\"model\":\"{route}\",\"messages\":[{{\"role\":\"user\",\"content\":\"Hello\"}}]}}'");
        console.Out.WriteLine("Press Ctrl+C to stop.");
        console.Out.Flush();
    }

    /// <summary>The <see cref="AegisException"/> behind a start-up failure, however the host wrapped it.</summary>
    internal static AegisException? FindAegisException(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is AegisException aegis)
            {
                return aegis;
            }

            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (FindAegisException(inner) is { } found)
                    {
                        return found;
                    }
                }
            }
        }

        return null;
    }

    private static async Task DisposeQuietlyAsync(WebApplication app, bool started)
    {
        // A host whose start failed must not be stopped (it throws); disposing it is enough.
        try
        {
            if (!started)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                return;
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or AegisException)
        {
            // A stop that timed out or a store that failed while closing: the process is ending anyway.
        }

        await app.DisposeAsync().ConfigureAwait(false);
    }
}
