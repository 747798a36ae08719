using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace Aegis.Benchmarks;

/// <summary>
/// The <c>pii</c> pack (mask mode) on its own, as a governed run calls it: ingress over the 1 KB prompt (an email
/// address and a phone number to mask, in a fresh run), egress over a ~700-character answer without PII and with the
/// two placeholders to restore, and the streamed egress of those answers in 20 chunks (hold-back window, final pass);
/// also ingress over 1 KB of prose with dates and counts but no PII (every short number is a phone-number candidate).
/// <see cref="NewRunState"/> is what a fresh run's state costs by itself (the ingress benchmark includes it).
/// </summary>
[MemoryDiagnoser]
public class PiiGuardrailBenchmarks
{
    private readonly PiiGuardrail _guard = PiiGuardrail.Create("pii", new GuardrailOptions { Pack = "pii", Mode = "mask" });
    private readonly StringBuilder _released = new();
    private ChatMessage[] _prompt = [];
    private ChatMessage[] _numbers = [];
    private ChatMessage[] _answer = [];
    private ChatMessage[] _answerWithPlaceholders = [];
    private string[] _chunks = [];
    private string[] _chunksWithPlaceholders = [];
    private RunState _run = null!;

    [GlobalSetup]
    public void Setup()
    {
        _prompt = [new ChatMessage(ChatRole.System, "You are a helpful assistant."), new ChatMessage(ChatRole.User, Prompts.Make(1024))];
        _numbers = [new ChatMessage(ChatRole.User, Prompts.MakeWithNumbers(1024))];
        _answer = [new ChatMessage(ChatRole.Assistant, Prompts.Answer)];
        _answerWithPlaceholders = [new ChatMessage(ChatRole.Assistant, Prompts.AnswerWithPlaceholders)];
        _chunks = Prompts.Chunks(Prompts.Answer, 20);
        _chunksWithPlaceholders = Prompts.Chunks(Prompts.AnswerWithPlaceholders, 20);

        // The state of a run after ingress: the two values of the prompt are in its mask map.
        _run = NewRunState();
        _run.MaskMap.GetOrAddPlaceholder("EMAIL_ADDRESS", Prompts.Email);
        _run.MaskMap.GetOrAddPlaceholder("PHONE_NUMBER", Prompts.Phone);
    }

    /// <summary>A fresh run's state (allocated by every ingress call below).</summary>
    [Benchmark]
    public RunState NewRunState() => new("run", "default", Principal.Local);

    /// <summary>Ingress: the user message of the 1 KB prompt is masked (two values) in a fresh run.</summary>
    [Benchmark]
    public async Task<VerdictKind> Ingress()
    {
        var verdict = await _guard.EvaluateAsync(new GuardrailContext(GuardStage.Ingress, _prompt, NewRunState())).ConfigureAwait(false);
        return verdict.Kind;
    }

    /// <summary>Ingress: 1 KB of prose with dates and counts and nothing to mask.</summary>
    [Benchmark]
    public async Task<VerdictKind> IngressNumbers()
    {
        var verdict = await _guard.EvaluateAsync(new GuardrailContext(GuardStage.Ingress, _numbers, _run)).ConfigureAwait(false);
        return verdict.Kind;
    }

    /// <summary>Egress: a ~700-character answer with nothing to restore or mask.</summary>
    [Benchmark]
    public async Task<VerdictKind> EgressClean()
    {
        var verdict = await _guard.EvaluateAsync(new GuardrailContext(GuardStage.Egress, _answer, _run)).ConfigureAwait(false);
        return verdict.Kind;
    }

    /// <summary>Egress: a ~700-character answer with two placeholders of the run to restore.</summary>
    [Benchmark]
    public async Task<VerdictKind> EgressRestore()
    {
        var verdict = await _guard.EvaluateAsync(new GuardrailContext(GuardStage.Egress, _answerWithPlaceholders, _run)).ConfigureAwait(false);
        return verdict.Kind;
    }

    /// <summary>Streamed egress of the clean answer in 20 chunks.</summary>
    [Benchmark]
    public int StreamClean() => Stream(_chunks);

    /// <summary>Streamed egress of the answer with two placeholders in 20 chunks.</summary>
    [Benchmark]
    public int StreamRestore() => Stream(_chunksWithPlaceholders);

    private int Stream(string[] chunks)
    {
        var stream = _guard.BeginStream(new GuardrailContext(GuardStage.Egress, [], _run));
        var length = 0;
        foreach (var chunk in chunks)
        {
            _released.Clear();
            stream.Append(chunk, _released);
            length += _released.Length;
        }

        _released.Clear();
        stream.Complete(_released);
        return length + _released.Length;
    }
}
