using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Aegis.Benchmarking;

namespace Aegis.LoadTest;

/// <summary>What one scenario measured.</summary>
internal sealed class ScenarioResult
{
    public required string Name { get; init; }

    public required string Target { get; init; }

    public required string Mode { get; init; }

    public double Seconds { get; set; }

    public long Ok { get; set; }

    public long Errors { get; set; }

    public string? FirstError { get; set; }

    public LatencyHistogram Latency { get; } = new();

    /// <summary>Streaming only: time to the first content chunk.</summary>
    public LatencyHistogram? FirstToken { get; set; }

    public long GatewayPeakRssBytes { get; set; }

    /// <summary>CPU time the gateway process used during the measured window (not the warm-up); zero for direct scenarios.</summary>
    public TimeSpan GatewayCpu { get; set; }

    /// <summary>Gateway CPU per successful request, in microseconds: the gateway's whole cost, whatever shares the machine.</summary>
    public double GatewayCpuMicrosPerRequest => Ok == 0 ? 0 : GatewayCpu.TotalMicroseconds / Ok;

    /// <summary>
    /// The share of all the machine's cores that sat idle (or waiting for I/O) during the measured window, 0 to 1; NaN
    /// where it cannot be read (not Linux).
    /// </summary>
    public double MachineIdleShare { get; set; } = double.NaN;

    /// <summary>Successful and failed requests of the warm-up (not in the figures; they still make runs in the ledger).</summary>
    public long WarmupOk { get; set; }

    public long WarmupErrors { get; set; }

    public double RequestsPerSecond => Seconds <= 0 ? 0 : Ok / Seconds;
}

/// <summary>A target: base URL, bearer key (or none), route (the OpenAI <c>model</c>) and whether to stream.</summary>
internal sealed record Target(string Name, Uri BaseUrl, string? Key, string Model, bool Stream);

/// <summary>
/// The load generator: closed loop (N workers, each one request at a time on its own pooled connection) and open
/// loop (requests sent at fixed instants whatever the answers; latency counted from the intended send time, so
/// queueing is not hidden). Each request is a ~1 KB chat completion with an email address and a phone number.
/// </summary>
internal static class LoadGenerator
{
    /// <summary>The user message: 900 characters of prose with an email address and a phone number.</summary>
    public static readonly string Prompt = BenchmarkTexts.RequestPrompt;

    public static HttpClient CreateClient(int maxConnections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = maxConnections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
        UseProxy = false,
        UseCookies = false,
    })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    public static byte[] Body(string model, bool stream)
    {
        var sb = new StringBuilder(1200);
        sb.Append("{\"model\":\"").Append(model).Append("\",");
        if (stream)
        {
            sb.Append("\"stream\":true,");
        }

        sb.Append("\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},{\"role\":\"user\",\"content\":\"")
          .Append(Prompt)
          .Append("\"}]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static async Task<ScenarioResult> ClosedLoopAsync(string name, Target target, int connections, TimeSpan warmup, TimeSpan duration, Action? measuring = null)
    {
        using var client = CreateClient(connections);
        var body = Body(target.Model, target.Stream);
        var warm = new ScenarioResult { Name = name, Target = target.Name, Mode = "warm-up", FirstToken = target.Stream ? new LatencyHistogram() : null };
        if (warmup > TimeSpan.Zero)
        {
            await RunClosedAsync(client, target, body, connections, warmup, warm).ConfigureAwait(false);
        }

        var result = new ScenarioResult { Name = name, Target = target.Name, Mode = $"closed loop, {connections} connections", FirstToken = target.Stream ? new LatencyHistogram() : null, WarmupOk = warm.Ok, WarmupErrors = warm.Errors };
        measuring?.Invoke();
        await RunClosedAsync(client, target, body, connections, duration, result).ConfigureAwait(false);
        return result;
    }

    public static async Task<ScenarioResult> OpenLoopAsync(string name, Target target, int rate, TimeSpan warmup, TimeSpan duration, Action? measuring = null)
    {
        using var client = CreateClient(1024);
        var body = Body(target.Model, target.Stream);
        var warm = new ScenarioResult { Name = name, Target = target.Name, Mode = "warm-up", FirstToken = target.Stream ? new LatencyHistogram() : null };
        if (warmup > TimeSpan.Zero)
        {
            await RunOpenAsync(client, target, body, rate, warmup, warm).ConfigureAwait(false);
        }

        var result = new ScenarioResult { Name = name, Target = target.Name, Mode = $"open loop, {rate} req/s", FirstToken = target.Stream ? new LatencyHistogram() : null, WarmupOk = warm.Ok, WarmupErrors = warm.Errors };
        measuring?.Invoke();
        await RunOpenAsync(client, target, body, rate, duration, result).ConfigureAwait(false);
        return result;
    }

    private static async Task RunClosedAsync(HttpClient client, Target target, byte[] body, int connections, TimeSpan duration, ScenarioResult result)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var workers = new Task<Worker>[connections];
        for (var i = 0; i < connections; i++)
        {
            workers[i] = Task.Run(async () =>
            {
                var w = new Worker(target.Stream);
                while (Stopwatch.GetTimestamp() < stopAt)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    await w.SendAsync(client, target, body, t0).ConfigureAwait(false);
                }

                return w;
            });
        }

        var done = await Task.WhenAll(workers).ConfigureAwait(false);
        result.Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        foreach (var w in done)
        {
            w.MergeInto(result);
        }
    }

    private static async Task RunOpenAsync(HttpClient client, Target target, byte[] body, int rate, TimeSpan duration, ScenarioResult result)
    {
        const int MaxInFlight = 4096;
        var total = (long)(duration.TotalSeconds * rate);
        var interval = Stopwatch.Frequency / (double)rate;
        var inFlight = new List<Task>(capacity: (int)Math.Min(total, 1 << 20));
        var workers = new Worker[Environment.ProcessorCount * 4];
        var locks = new object[workers.Length];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = new Worker(target.Stream);
            locks[i] = new object();
        }

        var active = 0;
        long dropped = 0;
        var started = Stopwatch.GetTimestamp();

        // The sends are paced by one dedicated thread that sleeps until each instant (no spinning core, no timer-tick
        // granularity); each request then runs on the thread pool, so a slow answer never delays the next send.
        var pacer = new Thread(() =>
        {
            Pacer.PrepareThread();
            for (long i = 0; i < total; i++)
            {
                var due = started + (long)(i * interval);
                Pacer.SleepUntil(due);
                if (Volatile.Read(ref active) >= MaxInFlight)
                {
                    dropped++;
                    continue;
                }

                Interlocked.Increment(ref active);
                var slot = (int)(i % workers.Length);
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        var w = new Worker(target.Stream);
                        await w.SendAsync(client, target, body, due).ConfigureAwait(false);
                        lock (locks[slot])
                        {
                            workers[slot].Add(w);
                        }
                    }
                    finally
                    {
                        Interlocked.Decrement(ref active);
                    }
                }));
            }
        })
        {
            IsBackground = true,
            Name = "open-loop pacer",
            Priority = ThreadPriority.AboveNormal,
        };
        pacer.Start();
        await Task.Run(pacer.Join).ConfigureAwait(false);

        await Task.WhenAll(inFlight).ConfigureAwait(false);
        result.Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        foreach (var w in workers)
        {
            w.MergeInto(result);
        }

        result.Errors += dropped;
        if (dropped > 0)
        {
            result.FirstError ??= $"{dropped} requests not sent: more than {MaxInFlight} in flight";
        }
    }

    /// <summary>One worker's counts and histograms (merged at the end, so recording takes no lock).</summary>
    private sealed class Worker(bool stream)
    {
        public LatencyHistogram Latency { get; } = new();

        public LatencyHistogram? FirstToken { get; } = stream ? new LatencyHistogram() : null;

        public long Ok { get; private set; }

        public long Errors { get; private set; }

        public string? FirstError { get; private set; }

        public async Task SendAsync(HttpClient client, Target target, byte[] body, long t0)
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target.BaseUrl, "v1/chat/completions"))
                {
                    Content = new ByteArrayContent(body),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                if (target.Key is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.Key);
                }

                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    Fail($"HTTP {(int)response.StatusCode}: {Shorten(text)}");
                    return;
                }

                await using var content = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                var first = 0L;
                var sawDone = false;
                var sawContent = false;
                int read;
                while ((read = await content.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                {
                    if (FirstToken is not null)
                    {
                        var span = buffer.AsSpan(0, read);
                        if (first == 0 && HasContent(span))
                        {
                            first = Stopwatch.GetTimestamp();
                        }

                        sawContent |= first != 0;
                        sawDone |= span.IndexOf("[DONE]"u8) >= 0;
                    }
                }

                var end = Stopwatch.GetTimestamp();
                if (FirstToken is not null && (!sawContent || !sawDone))
                {
                    Fail(sawContent ? "stream ended without [DONE]" : "stream carried no content");
                    return;
                }

                Ok++;
                Latency.Record(Micros(t0, end));
                FirstToken?.Record(Micros(t0, first));
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                Fail(ex.GetType().Name + ": " + ex.Message);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public void Add(Worker other)
        {
            Ok += other.Ok;
            Errors += other.Errors;
            FirstError ??= other.FirstError;
            Latency.Add(other.Latency);
            if (other.FirstToken is not null)
            {
                FirstToken?.Add(other.FirstToken);
            }
        }

        public void MergeInto(ScenarioResult result)
        {
            result.Ok += Ok;
            result.Errors += Errors;
            result.FirstError ??= FirstError;
            result.Latency.Add(Latency);
            if (FirstToken is not null && result.FirstToken is not null)
            {
                result.FirstToken.Add(FirstToken);
            }
        }

        private void Fail(string error)
        {
            Errors++;
            FirstError ??= error;
        }

        // A delta with a non-empty content string: "content":"x...
        private static bool HasContent(ReadOnlySpan<byte> span)
        {
            var i = span.IndexOf("\"content\":\""u8);
            return i >= 0 && i + 11 < span.Length && span[i + 11] != (byte)'"';
        }

        private static long Micros(long from, long to) => (to - from) * 1_000_000 / Stopwatch.Frequency;

        private static string Shorten(string s) => s.Length <= 300 ? s : s[..300] + "…";
    }
}
