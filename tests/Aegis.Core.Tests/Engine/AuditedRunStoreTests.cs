using Microsoft.Extensions.DependencyInjection;

namespace Aegis.Core.Tests.Engine;

/// <summary>The engine writes a run and its audit events in one write when the run store can, and in two when it cannot.</summary>
public sealed class AuditedRunStoreTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_new_run_goes_through_CreateWithAuditAsync_only_when_the_store_shares_the_ledger(bool shares)
    {
        var ledger = new InMemoryAuditLedger();
        var store = new RecordingAuditedRunStore(ledger, shares);
        await using var h = new EngineHarness(register: b => b.Services.AddSingleton<IRunStore>(store).AddSingleton<IAuditLedger>(ledger));

        var result = await h.Engine.RunAsync(EngineHarness.Ask("hello there"));

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(shares ? 1 : 0, store.CreatedWithAudit);
        Assert.Equal(shares ? 0 : 1, store.Created);
        Assert.Equal([RunStatus.Running, RunStatus.Completed], (await ledger.GetRunEventsAsync(result.RunId)).Where(e => e.Entry.Status is not null).Select(e => e.Entry.Status!.Value));
        Assert.Equal(result.Events.Select(e => e.Sequence), (await ledger.GetRunEventsAsync(result.RunId)).Select(e => e.Sequence));
        Assert.NotNull(await store.GetAsync(result.RunId));
    }

    [Theory]
    [InlineData(true, ApprovalDecision.Approved)]
    [InlineData(true, ApprovalDecision.Denied)]
    [InlineData(false, ApprovalDecision.Approved)]
    [InlineData(false, ApprovalDecision.Denied)]
    public async Task A_stored_run_moves_on_with_its_audit_in_one_write_only_when_the_store_shares_the_ledger(bool shares, ApprovalDecision decision)
    {
        var ledger = new InMemoryAuditLedger();
        var store = new RecordingAuditedRunStore(ledger, shares);
        await using var h = new EngineHarness(
            o => o.Pipeline = new PipelineOptions { Ingress = ["review"] },
            b => b.AddGuardrail("review", ScriptedGuard.ApproveWhen("review", "wire money")).Services.AddSingleton<IRunStore>(store).AddSingleton<IAuditLedger>(ledger));
        var paused = await h.Engine.RunAsync(EngineHarness.Ask("please wire money"));
        Assert.Equal(RunStatus.Paused, paused.Status);

        var decided = await h.Engine.ResumeAsync(paused.RunId, decision, Principal.Local);

        Assert.Equal(decision == ApprovalDecision.Approved ? RunStatus.Completed : RunStatus.Blocked, decided.Status);
        // One audited change either way (the run's end, or the denial). Approving also claims the run first
        // (paused → running), a compare-and-set with no events of its own: they are written with the run's end.
        var claims = decision == ApprovalDecision.Approved ? 1 : 0;
        Assert.Equal(shares ? 1 : 0, store.UpdatedWithAudit);
        Assert.Equal(claims + (shares ? 0 : 1), store.Updated);
        var events = await ledger.GetRunEventsAsync(paused.RunId);
        Assert.Equal(decided.Status, events[^1].Entry.Status);
        Assert.Equal(decided.Status, (await store.GetAsync(paused.RunId))!.Status);
        Assert.True((await ledger.VerifyAsync()).IsValid);
    }

    /// <summary>An in-memory run store that claims to share <paramref name="ledger"/> (or not) and counts which write the engine chose.</summary>
    private sealed class RecordingAuditedRunStore(InMemoryAuditLedger ledger, bool shares) : IAuditedRunStore
    {
        private readonly InMemoryRunStore _runs = new();

        public int Created { get; private set; }

        public int CreatedWithAudit { get; private set; }

        public bool SharesLedger(IAuditLedger other) => shares && ReferenceEquals(other, ledger);

        public async ValueTask<IReadOnlyList<AuditEvent>> CreateWithAuditAsync(RunRecord run, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
        {
            CreatedWithAudit++;
            await _runs.CreateAsync(run, cancellationToken);
            return await ledger.AppendAsync(entries, cancellationToken);
        }

        public ValueTask CreateAsync(RunRecord run, CancellationToken cancellationToken = default)
        {
            Created++;
            return _runs.CreateAsync(run, cancellationToken);
        }

        public ValueTask<RunRecord?> GetAsync(string runId, CancellationToken cancellationToken = default) => _runs.GetAsync(runId, cancellationToken);

        public int Updated { get; private set; }

        public int UpdatedWithAudit { get; private set; }

        public async ValueTask<IReadOnlyList<AuditEvent>?> TryUpdateWithAuditAsync(RunRecord run, RunStatus expectedStatus, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
        {
            UpdatedWithAudit++;
            return await _runs.TryUpdateAsync(run, expectedStatus, cancellationToken) ? await ledger.AppendAsync(entries, cancellationToken) : null;
        }

        public ValueTask<bool> TryUpdateAsync(RunRecord run, RunStatus expectedStatus, CancellationToken cancellationToken = default)
        {
            Updated++;
            return _runs.TryUpdateAsync(run, expectedStatus, cancellationToken);
        }

        public ValueTask<RunPage> ListAsync(RunQuery query, CancellationToken cancellationToken = default) => _runs.ListAsync(query, cancellationToken);
    }
}
