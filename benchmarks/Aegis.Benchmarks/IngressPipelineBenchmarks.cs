using Aegis.Pipeline;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace Aegis.Benchmarks;

/// <summary>
/// The ingress stage with the built-in <c>pii</c> (mask) and <c>injection</c> packs, exactly as a
/// compiled route runs it, on 1 KB and 16 KB prompts that carry an email address and a phone number.
/// </summary>
[MemoryDiagnoser]
public class IngressPipelineBenchmarks
{
    private GuardStep[] _steps = [];
    private ChatMessage[] _messages = [];
    private readonly List<AuditEntry> _audit = new(4);

    /// <summary>Prompt size in bytes.</summary>
    [Params(1024, 16 * 1024)]
    public int PromptBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _steps =
        [
            new GuardStep("pii", PiiGuardrail.Create("pii", new GuardrailOptions { Pack = "pii", Mode = "mask" })),
            new GuardStep("injection", InjectionGuardrail.Create("injection", new GuardrailOptions { Pack = "injection" })),
        ];
        _messages = [new ChatMessage(ChatRole.System, "You are a helpful assistant."), new ChatMessage(ChatRole.User, Prompts.Make(PromptBytes))];
    }

    [Benchmark]
    public async Task<int> Ingress()
    {
        _audit.Clear();
        var state = new RunState("run", "default", Principal.Local);
        var outcome = await StageRunner.RunAsync(GuardStage.Ingress, _steps, 0, _messages, state, _audit, TimeProvider.System, CancellationToken.None);
        return outcome.Content.Count;
    }
}
