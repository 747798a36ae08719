using Microsoft.Extensions.Time.Testing;

namespace Aegis.Testing;

/// <summary>
/// The plumbing shared by the store contract suites: a <see cref="FakeTimeProvider"/> handed to the
/// store so that time-based behaviour is deterministic, and a fresh store per test, created in
/// <see cref="InitializeAsync"/> (after the subclass's constructor ran, so it may use its own fields
/// such as a temp directory) and released in <see cref="DisposeAsync"/>.
/// </summary>
/// <typeparam name="TStore">The store contract under test.</typeparam>
public abstract class StoreContractTests<TStore> : IAsyncLifetime
    where TStore : class
{
    /// <summary>The instant the suite's clock starts at: whole milliseconds, UTC.</summary>
    public static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

    private TStore? _store;

    /// <summary>The clock passed to <see cref="CreateStore"/>; tests advance it.</summary>
    protected FakeTimeProvider Time { get; } = new(Start);

    /// <summary>The store of the current test.</summary>
    protected TStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>Creates an empty store that uses <paramref name="time"/> wherever it reads the clock.</summary>
    protected abstract TStore CreateStore(TimeProvider time);

    /// <summary>Releases a store made by <see cref="CreateStore"/>; by default disposes it if it is disposable.</summary>
    protected virtual async ValueTask DisposeStoreAsync(TStore store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <inheritdoc />
    public virtual Task InitializeAsync()
    {
        _store = CreateStore(Time);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
        {
            var store = _store;
            _store = null;
            await DisposeStoreAsync(store);
        }
    }

    /// <summary>Asserts that two instants are equal to the millisecond (stores may keep more precision).</summary>
    protected static void AssertSameInstant(DateTimeOffset expected, DateTimeOffset actual)
    {
        var difference = (expected - actual).Duration();
        Assert.True(difference < TimeSpan.FromMilliseconds(1), $"expected {expected:O}, got {actual:O}");
    }

    /// <summary>Asserts that two optional instants are both absent or equal to the millisecond.</summary>
    protected static void AssertSameInstant(DateTimeOffset? expected, DateTimeOffset? actual)
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is not null)
        {
            AssertSameInstant(expected.Value, actual!.Value);
        }
    }

    /// <summary>Asserts that <paramref name="action"/> throws an <see cref="AegisException"/> with <paramref name="error"/>'s code.</summary>
    protected static async Task<AegisException> AssertAegisErrorAsync(AegisError error, Func<Task> action)
    {
        var ex = await Assert.ThrowsAsync<AegisException>(action);
        Assert.Equal(error.Code, ex.Code);
        return ex;
    }
}
