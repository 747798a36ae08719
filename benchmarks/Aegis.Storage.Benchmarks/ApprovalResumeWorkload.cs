using Aegis.Benchmarking;
using Microsoft.Extensions.AI;

namespace Aegis.Storage.Benchmarks;

/// <summary>
/// What the store is asked when an approver releases a paused run (<c>AegisEngine.ResumeAsync</c> with
/// <c>approved</c>): the claim, a compare-and-set from <c>paused</c> to <c>running</c> with no events of its own, then
/// the run's end, a compare-and-set from <c>running</c> to <c>completed</c> with the events since the pause (the
/// approval, the rest of egress, the end). The end is one write (<c>TryUpdateWithAuditAsync</c>, what
/// <c>RunExecutor</c> does when the run store shares the ledger) or two (<c>TryUpdateAsync</c>, then
/// <c>AppendAsync</c>: what it does otherwise, and what it did for every store before that method existed), so the
/// two can be timed against each other in one build. The runs are paused at egress with the answer held, as a
/// policy that wants a human to see an answer leaves them; they are created before the timed part.
/// Fixed-work console mode: <c>-- approval-resume RUNS CALLERS one-write|two-writes</c>.
/// </summary>
internal sealed class ApprovalResumeWorkload : IDisposable
{
    private readonly BenchmarkDatabase _database = new();
    private readonly SqliteRunStore _runs;
    private readonly SqliteAuditLedger _ledger;
    private readonly bool _oneWrite;

    public ApprovalResumeWorkload(bool oneWrite)
    {
        _runs = new SqliteRunStore(_database.Database);
        _ledger = new SqliteAuditLedger(_database.Database);
        _oneWrite = oneWrite;
    }

    /// <summary>Creates <paramref name="count"/> paused runs, each with the events a governed run writes up to its pause.</summary>
    public async Task<RunRecord[]> PauseAsync(int count)
    {
        var runs = new RunRecord[count];
        var writes = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var now = DateTimeOffset.UtcNow;
            var run = new RunRecord
            {
                Id = Guid.CreateVersion7(now).ToString(),
                Route = "support",
                PrincipalId = "svc-load",
                Status = RunStatus.Paused,
                Reason = "approval required: answers on this route are reviewed",
                Messages = [new ChatMessage(ChatRole.System, "You are a helpful assistant."), new ChatMessage(ChatRole.User, BenchmarkTexts.MaskedPrompt)],
                Usage = new RunUsage(312, 164),
                CreatedAt = now,
                UpdatedAt = now,
                Checkpoint = new RunCheckpoint
                {
                    Stage = GuardStage.Egress,
                    NextGuardIndex = 1,
                    Content = [new ChatMessage(ChatRole.Assistant, BenchmarkTexts.Answer)],
                    Provider = "openai",
                    FinishReason = "stop",
                },
            };
            runs[i] = run;
            writes[i] = _runs.CreateWithAuditAsync(run,
            [
                BenchmarkAudit.Status(run, RunStatus.Running),
                BenchmarkAudit.Verdict(run, GuardStage.Ingress, "pii", VerdictKind.Sanitize, "masked 1 EMAIL_ADDRESS, 1 PHONE_NUMBER"),
                BenchmarkAudit.Verdict(run, GuardStage.Ingress, "injection", VerdictKind.Allow, null),
                BenchmarkAudit.Verdict(run, GuardStage.Egress, "approval", VerdictKind.RequireApproval, "answers on this route are reviewed"),
                BenchmarkAudit.Status(run, RunStatus.Paused),
            ]).AsTask();
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
        return runs;
    }

    /// <summary>Resumes <paramref name="runs"/> over <paramref name="callers"/> concurrent callers, each one run after another.</summary>
    public async Task ResumeAsync(RunRecord[] runs, int callers)
    {
        var tasks = new Task[callers];
        for (var c = 0; c < callers; c++)
        {
            var first = c;
            tasks[c] = Task.Run(async () =>
            {
                for (var i = first; i < runs.Length; i += callers)
                {
                    await ResumeOneAsync(runs[i]).ConfigureAwait(false);
                }
            });
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Bytes in the database file and its WAL now (read from the file system).</summary>
    public long DatabaseBytes() => _database.Bytes();

    public void Dispose()
    {
        _ledger.Dispose();
        _database.Dispose();
    }

    private async Task ResumeOneAsync(RunRecord paused)
    {
        var claimed = paused with { Status = RunStatus.Running, UpdatedAt = DateTimeOffset.UtcNow, Reason = null };
        if (!await _runs.TryUpdateAsync(claimed, RunStatus.Paused).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"run {paused.Id} was not paused");
        }

        var approved = BenchmarkAudit.Status(claimed, RunStatus.Running) with { Node = "approval", Reason = "approval: approved by reviewer-1" };
        var completed = claimed with
        {
            Status = RunStatus.Completed,
            UpdatedAt = DateTimeOffset.UtcNow,
            Checkpoint = null,
            Response = BenchmarkTexts.Answer,
        };
        AuditEntry[] entries =
        [
            approved,
            BenchmarkAudit.Verdict(completed, GuardStage.Egress, "pii", VerdictKind.Allow, null),
            BenchmarkAudit.Status(completed, RunStatus.Completed),
        ];
        if (_oneWrite)
        {
            _ = await _runs.TryUpdateWithAuditAsync(completed, RunStatus.Running, entries).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"run {paused.Id} was not running");
        }
        else
        {
            if (!await _runs.TryUpdateAsync(completed, RunStatus.Running).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"run {paused.Id} was not running");
            }

            await _ledger.AppendAsync(entries).ConfigureAwait(false);
        }
    }
}
