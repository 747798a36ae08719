using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Aegis.Cli.Tests.Infrastructure;

/// <summary>
/// <c>aegis dev</c> or <c>aegis serve</c> running as a child process on a real port; ready once <c>/healthz</c>
/// answers. Disposing kills the process tree.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private GatewayProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = AegisCli.Timeout };
    }

    public int Port { get; }

    public HttpClient Client { get; }

    /// <summary>Standard output so far.</summary>
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    /// <summary>Standard error so far.</summary>
    public string Error { get { lock (_error) { return _error.ToString(); } } }

    /// <summary>Starts <c>aegis <paramref name="args"/></c> (which must include <c>--port <paramref name="port"/></c>) and waits until it serves.</summary>
    public static async Task<GatewayProcess> StartAsync(string workingDirectory, int port, params string[] args)
    {
        var process = Process.Start(AegisCli.StartInfo(workingDirectory, args))!;
        var gateway = new GatewayProcess(process, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (gateway._output) { gateway._output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (gateway._error) { gateway._error.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await gateway.WaitUntilReadyAsync();
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        using var probe = new HttpClient { BaseAddress = Client.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (deadline.Elapsed < AegisCli.Timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the gateway exited with {_process.ExitCode} before it was ready\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}");
            }

            try
            {
                using var response = await probe.GetAsync("healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the gateway did not answer /healthz within {AegisCli.Timeout.TotalSeconds} s\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}");
    }

    /// <summary>Sends a request and parses the JSON answer (default when the body is empty).</summary>
    public async Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null, string? key = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Kills the process tree at once (no graceful shutdown: a crash, as far as the database can tell).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(AegisCli.Timeout);
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            await KillAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // Already gone, or never started.
        }

        _process.Dispose();
    }
}
