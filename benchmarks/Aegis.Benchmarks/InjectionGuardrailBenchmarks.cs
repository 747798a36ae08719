using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace Aegis.Benchmarks;

/// <summary>
/// The <c>injection</c> pack (all four families) on its own at ingress, over the 1 KB prompt as the pipeline hands
/// it over after <c>pii</c> (values masked) and as the caller wrote it. Both are benign: the whole text is scanned.
/// </summary>
[MemoryDiagnoser]
public class InjectionGuardrailBenchmarks
{
    private readonly InjectionGuardrail _guard = InjectionGuardrail.Create("injection", new GuardrailOptions { Pack = "injection" });
    private readonly RunState _run = new("run", "default", Principal.Local);
    private ChatMessage[] _prompt = [];
    private ChatMessage[] _maskedPrompt = [];

    [GlobalSetup]
    public void Setup()
    {
        var prompt = Prompts.Make(1024);
        _prompt = [new ChatMessage(ChatRole.System, "You are a helpful assistant."), new ChatMessage(ChatRole.User, prompt)];
        var masked = prompt.Replace(Prompts.Email, "<EMAIL_ADDRESS_1>", StringComparison.Ordinal).Replace(Prompts.Phone, "<PHONE_NUMBER_1>", StringComparison.Ordinal);
        _maskedPrompt = [new ChatMessage(ChatRole.System, "You are a helpful assistant."), new ChatMessage(ChatRole.User, masked)];
    }

    /// <summary>Ingress over the 1 KB prompt as the caller wrote it.</summary>
    [Benchmark]
    public async Task<VerdictKind> Ingress()
    {
        var verdict = await _guard.EvaluateAsync(new GuardrailContext(GuardStage.Ingress, _prompt, _run)).ConfigureAwait(false);
        return verdict.Kind;
    }

    /// <summary>Ingress over the 1 KB prompt after <c>pii</c> masked it (what a governed route scans).</summary>
    [Benchmark]
    public async Task<VerdictKind> IngressMasked()
    {
        var verdict = await _guard.EvaluateAsync(new GuardrailContext(GuardStage.Ingress, _maskedPrompt, _run)).ConfigureAwait(false);
        return verdict.Kind;
    }
}
