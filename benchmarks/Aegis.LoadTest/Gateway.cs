using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Aegis.LoadTest;

/// <summary>The gateway under test: where it listens, the key to use, and its process (for RSS).</summary>
internal abstract partial class Gateway : IAsyncDisposable
{
    public Uri BaseUrl { get; protected set; } = null!;

    public string Key { get; protected set; } = "";

    public abstract int ProcessId { get; }

    public abstract string Description { get; }

    /// <summary>Stops the gateway gracefully so every acknowledged run and audit event is on disk.</summary>
    public abstract Task StopAsync();

    public abstract ValueTask DisposeAsync();

    /// <summary>Resets the kernel's peak-RSS mark of the gateway process (best effort; needs the right to write clear_refs).</summary>
    public void ResetPeakRss()
    {
        try
        {
            File.WriteAllText($"/proc/{ProcessId}/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>CPU time (user + system) the gateway process has used so far; for an in-process gateway, the whole harness's.</summary>
    public TimeSpan CpuTime()
    {
        try
        {
            using var process = Process.GetProcessById(ProcessId);
            return process.TotalProcessorTime;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>VmHWM of the gateway process, in bytes (0 when unreadable).</summary>
    public long PeakRssBytes() => ReadStatusKb(ProcessId, "VmHWM:") * 1024;

    protected static long ReadStatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var digits = line.AsSpan(field.Length).Trim();
                    var space = digits.IndexOf(' ');
                    return long.Parse(space < 0 ? digits : digits[..space], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    protected static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    protected static async Task WaitReadyAsync(Uri baseUrl, string key, Func<bool> exited, TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (exited())
            {
                throw new InvalidOperationException("the gateway exited during start-up (see its output above)");
            }

            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, "v1/models"));
                if (key.Length > 0)
                {
                    request.Headers.Authorization = new("Bearer", key);
                }

                using var response = await client.SendAsync(request).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200).ConfigureAwait(false);
        }

        throw new TimeoutException($"the gateway did not answer GET /v1/models within {timeout.TotalSeconds} s");
    }

    [GeneratedRegex("aeg-[0-9a-f]{64}")]
    protected static partial Regex KeyPattern();
}

/// <summary>
/// A gateway in a child process: <c>aegis serve</c> (<c>dotnet aegis.dll</c>), the delivered default, or the naive
/// reference proxy (<c>dotnet Aegis.LoadTest.dll naive-proxy</c>).
/// </summary>
internal sealed class ChildProcessGateway : Gateway
{
    private readonly Process _process;
    private readonly string _what;

    private ChildProcessGateway(Process process, string what)
    {
        _process = process;
        _what = what;
    }

    public override int ProcessId => _process.Id;

    public override string Description => $"{_what} (child process {_process.Id})";

    public static async Task<ChildProcessGateway> StartAsync(string cliDll, string configPath, string dbPath, IReadOnlyList<KeyValuePair<string, string>> environment)
    {
        var created = await RunToEndAsync(cliDll, ["keys", "create", "--db", dbPath, "--principal", "loadtest"]).ConfigureAwait(false);
        var match = KeyPattern().Match(created);
        if (!match.Success)
        {
            throw new InvalidOperationException("`aegis keys create` printed no key:\n" + created);
        }

        var port = FreePort();
        return await LaunchAsync("aegis serve", cliDll, ["serve", "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--config", configPath, "--db", dbPath], environment, port, match.Value).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts this harness again as the naive reference proxy in front of <paramref name="upstream"/>; with
    /// <paramref name="store"/>, writing each run to that SQLite file before answering.
    /// </summary>
    public static Task<ChildProcessGateway> StartNaiveProxyAsync(Uri upstream, string? store, IReadOnlyList<KeyValuePair<string, string>> environment)
    {
        var port = FreePort();
        var harness = typeof(NaiveProxy).Assembly.Location;
        string[] args = [NaiveProxy.Command, "--port", port.ToString(CultureInfo.InvariantCulture), "--upstream", upstream.ToString(), .. store is null ? Array.Empty<string>() : ["--store", store]];
        return LaunchAsync("naive proxy", harness, args, [.. NaiveProxy.AspNetCoreRuntimeDefaults, .. environment], port, "");
    }

    private static async Task<ChildProcessGateway> LaunchAsync(string what, string dll, string[] args, IReadOnlyList<KeyValuePair<string, string>> environment, int port, string key)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        process.OutputDataReceived += (_, e) => Echo(e.Data);
        process.ErrorDataReceived += (_, e) => Echo(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var gateway = new ChildProcessGateway(process, what)
        {
            BaseUrl = new Uri($"http://127.0.0.1:{port}/"),
            Key = key,
        };
        try
        {
            await WaitReadyAsync(gateway.BaseUrl, gateway.Key, () => process.HasExited, TimeSpan.FromSeconds(90)).ConfigureAwait(false);
        }
        catch
        {
            await gateway.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return gateway;
    }

    public override async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        // SIGTERM: the host stops gracefully (aegis serve flushes the ledger).
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false }))
        {
            kill?.WaitForExit();
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the {_what} did not stop within 30 s of SIGTERM");
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    /// <summary>Finds Aegis.Cli.dll under the repository (building it in Release if it is not there).</summary>
    public static async Task<string> LocateCliAsync(string repoRoot)
    {
        var project = Path.Combine(repoRoot, "src", "Aegis.Cli", "Aegis.Cli.csproj");
        if (!File.Exists(project))
        {
            throw new FileNotFoundException("src/Aegis.Cli is not in this repository yet; use --in-process (development) or --cli PATH");
        }

        var output = Path.Combine(repoRoot, "src", "Aegis.Cli", "bin", "Release", "net10.0");
        var dll = FindCliDll(output);
        if (dll is null)
        {
            Console.WriteLine("Building src/Aegis.Cli (Release)...");
            var build = await RunAsync("dotnet", ["build", project, "-c", "Release", "-nologo", "-v", "q"]).ConfigureAwait(false);
            if (build.ExitCode != 0)
            {
                throw new InvalidOperationException("dotnet build src/Aegis.Cli failed:\n" + build.Output);
            }

            dll = FindCliDll(output) ?? throw new FileNotFoundException($"no Aegis.Cli.dll (or aegis.dll) in {output} after the build");
        }

        return dll;
    }

    /// <summary>The CLI to run from <c>--cli</c>: the dll itself, or a build output folder that holds it.</summary>
    public static string ResolveCli(string path)
    {
        if (File.Exists(path))
        {
            return Path.GetFullPath(path);
        }

        if (Directory.Exists(path))
        {
            return FindCliDll(path) ?? throw new ArgumentException($"--cli {path}: the folder holds no aegis.dll (or Aegis.Cli.dll); pass a build output such as src/Aegis.Cli/bin/Release/net10.0");
        }

        throw new ArgumentException($"--cli {path}: no such file or folder");
    }

    private static string? FindCliDll(string folder)
    {
        foreach (var name in new[] { "Aegis.Cli.dll", "aegis.dll" })
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    private static async Task<string> RunToEndAsync(string cliDll, string[] args)
    {
        var result = await RunAsync("dotnet", [cliDll, .. args]).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"`aegis {string.Join(' ', args)}` exited {result.ExitCode}:\n{result.Output}");
        }

        return result.Output;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }

    // The gateway's output is drained always (a full pipe would block it) but only warnings and errors are shown:
    // `aegis serve` logs one information line per run, which would flood the report.
    private static void Echo(string? line)
    {
        if (!string.IsNullOrWhiteSpace(line) && !line.Contains(" info ", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("  [gateway] " + line);
        }
    }
}

/// <summary>The gateway hosted in this process (<c>--in-process</c>): for developing the harness; RSS is the harness's own.</summary>
internal sealed class InProcessGateway : Gateway
{
    private readonly WebApplication _app;

    private InProcessGateway(WebApplication app) => _app = app;

    public override int ProcessId => Environment.ProcessId;

    public override string Description => "in-process gateway (development mode; RSS includes the load generator and the mock)";

    public static async Task<InProcessGateway> StartAsync(string configPath, string dbPath, bool memoryStore)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddAegisYamlFile(configPath);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1AndHttp2));
        var aegis = builder.Services.AddAegis(builder.Configuration);
        if (!memoryStore)
        {
            aegis.UseSqlite(dbPath);
        }

        builder.Services.AddAegisHttp(o => o.AuthMode = AegisAuthMode.Keys);
        var app = builder.Build();
        app.MapAegis();
        await app.StartAsync().ConfigureAwait(false);
        var keys = app.Services.GetRequiredService<IApiKeyStore>();
        var created = await keys.CreateAsync(new ApiKeyRequest { Name = "loadtest", PrincipalId = "loadtest" }).ConfigureAwait(false);
        var gateway = new InProcessGateway(app)
        {
            BaseUrl = new Uri(app.Urls.First().TrimEnd('/') + "/"),
            Key = created.Key,
        };
        await WaitReadyAsync(gateway.BaseUrl, gateway.Key, () => false, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return gateway;
    }

    /// <summary>The engine's own ledger (what the in-memory store mode is checked against).</summary>
    public IAuditLedger Ledger => _app.Services.GetRequiredService<IAuditLedger>();

    public override Task StopAsync() => _app.StopAsync();

    public override ValueTask DisposeAsync() => _app.DisposeAsync();
}
