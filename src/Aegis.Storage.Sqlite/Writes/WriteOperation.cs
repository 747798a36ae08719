using Microsoft.Data.Sqlite;

namespace Aegis.Storage.Sqlite.Writes;

/// <summary>
/// One caller's write, queued on the <see cref="GroupCommitWriter"/> of its database. The writer runs
/// it inside the batch's transaction and completes it after the batch's COMMIT. If it fails, the writer
/// rolls the batch back and runs it again with each operation in a savepoint of its own, so the failure
/// undoes only this operation's changes and fails only this caller: <see cref="Execute"/> may therefore
/// run twice, and must derive everything it writes from the batch (the audit head) and its own inputs.
/// </summary>
internal abstract class WriteOperation
{
    private Exception? _error;

    protected WriteOperation(CancellationToken cancellationToken) => CancellationToken = cancellationToken;

    /// <summary>The caller's token: an operation cancelled before the writer takes it is dropped.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>How much of a batch this operation uses (audit entries count one each).</summary>
    public virtual int Weight => 1;

    /// <summary>Whether the operation writes; a batch of operations that do not write opens no transaction.</summary>
    public virtual bool Writes => true;

    /// <summary>What the operation does, for error messages (no values beyond ids).</summary>
    public abstract string Description { get; }

    /// <summary>Whether <see cref="Execute"/> failed or the batch failed for this operation.</summary>
    public bool HasFailed => _error is not null;

    /// <summary>Performs the write in <paramref name="batch"/>'s transaction; throws to fail this operation.</summary>
    public abstract void Execute(WriteBatch batch);

    /// <summary>Records the failure of this operation (<see cref="Execute"/> threw, or the batch failed).</summary>
    public void SetFailed(Exception error, SqliteDatabase database) => _error = Map(error, database);

    /// <summary>Completes the caller: with the result of <see cref="Execute"/>, or with the recorded failure.</summary>
    public void Complete()
    {
        if (_error is { } error)
        {
            Fail(error);
        }
        else
        {
            Succeed();
        }

        Release();
    }

    /// <summary>Completes the caller as cancelled (it cancelled before the writer took the operation).</summary>
    public void Cancel()
    {
        SetCanceled();
        Release();
    }

    protected abstract void SetCanceled();

    /// <summary>Returns buffers the operation rented; the writer no longer uses it.</summary>
    protected virtual void Release()
    {
    }

    protected abstract void Succeed();

    protected abstract void Fail(Exception error);

    /// <summary>The exception the caller sees for <paramref name="error"/>.</summary>
    protected virtual Exception Map(Exception error, SqliteDatabase database) => database.Failed(Description, error);

    /// <summary>Whether <paramref name="error"/> is a constraint violation (<c>SQLITE_CONSTRAINT</c>).</summary>
    protected static bool IsConstraint(Exception error) => error is SqliteException { SqliteErrorCode: 19 };
}

/// <summary>A <see cref="WriteOperation"/> whose caller awaits a <typeparamref name="T"/>.</summary>
internal abstract class WriteOperation<T> : WriteOperation
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;

    protected WriteOperation(CancellationToken cancellationToken)
        : base(cancellationToken)
    {
    }

    /// <summary>Completes after the COMMIT that holds this write (or with its failure).</summary>
    public Task<T> Completion => _completion.Task;

    public sealed override void Execute(WriteBatch batch) => _result = Run(batch);

    protected sealed override void SetCanceled() => _completion.TrySetCanceled(CancellationToken);

    /// <summary>Performs the write and returns the caller's result (kept until COMMIT).</summary>
    protected abstract T Run(WriteBatch batch);

    protected sealed override void Succeed() => _completion.TrySetResult(_result!);

    protected sealed override void Fail(Exception error) => _completion.TrySetException(error);
}
