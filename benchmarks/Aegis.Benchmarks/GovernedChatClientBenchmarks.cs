using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Aegis.Benchmarks;

/// <summary>
/// One governed <see cref="IChatClient"/> call end to end: <c>engine.AsChatClient()</c> over the fake (echo)
/// provider, the in-memory run store and audit ledger (hash chain included), on a 1 KB prompt carrying an
/// email address and a phone number. <see cref="Guards"/> picks the pipeline: <c>ingress</c> is the issue's
/// bar (<c>[pii, injection]</c> on the way in), <c>ingress+egress</c> adds egress <c>[pii]</c> as the load
/// test's governed route has it (the echoed answer is then restored for the caller).
/// The engine is rebuilt before each iteration so the in-memory stores do not grow without bound and
/// every iteration measures the same amount of retained state.
/// </summary>
[MemoryDiagnoser]
public class GovernedChatClientBenchmarks
{
    private ServiceProvider? _services;
    private GovernedChatClient _client = null!;
    private ChatMessage[] _messages = [];

    /// <summary>Prompt size in bytes.</summary>
    [Params(1024)]
    public int PromptBytes { get; set; }

    /// <summary>The guards: <c>ingress</c> = ingress <c>[pii, injection]</c>; <c>ingress+egress</c> adds egress <c>[pii]</c>.</summary>
    [Params("ingress", "ingress+egress")]
    public string Guards { get; set; } = "ingress";

    [GlobalSetup]
    public void GlobalSetup() =>
        _messages = [new ChatMessage(ChatRole.System, "You are a helpful assistant."), new ChatMessage(ChatRole.User, Prompts.Make(PromptBytes))];

    [IterationSetup]
    public void IterationSetup()
    {
        _services?.Dispose();
        var services = new ServiceCollection();
        services.AddAegis(o =>
        {
            o.Providers["fake"] = new ProviderOptions { Type = "fake", Echo = true };
            o.Guardrails["pii"] = new GuardrailOptions { Pack = "pii", Mode = "mask" };
            o.Guardrails["injection"] = new GuardrailOptions { Pack = "injection" };
            o.Pipeline = Guards == "ingress"
                ? new PipelineOptions { Ingress = ["pii", "injection"] }
                : new PipelineOptions { Ingress = ["pii", "injection"], Egress = ["pii"] };
        });
        _services = services.BuildServiceProvider();
        _client = _services.GetRequiredService<AegisEngine>().AsChatClient();
    }

    [GlobalCleanup]
    public void GlobalCleanup() => _services?.Dispose();

    /// <summary>A governed, non-streaming call.</summary>
    [Benchmark]
    public async Task<int> GetResponse()
    {
        var response = await _client.GetResponseAsync(_messages).ConfigureAwait(false);
        return response.Messages.Count;
    }

    /// <summary>A governed, streamed call, consumed to the end.</summary>
    [Benchmark]
    public async Task<int> GetStreamingResponse()
    {
        var n = 0;
        await foreach (var update in _client.GetStreamingResponseAsync(_messages).ConfigureAwait(false))
        {
            n += update.Contents.Count;
        }

        return n;
    }
}
