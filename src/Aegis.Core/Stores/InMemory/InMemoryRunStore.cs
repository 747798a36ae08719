using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Aegis;

/// <summary>
/// A process-local <see cref="IRunStore"/> for tests and pure-library use: thread-safe, but not
/// durable (everything is lost when the process ends) and not shared between processes. Records are
/// kept as given (they are immutable), so a read returns the same instance that was stored.
/// </summary>
public sealed class InMemoryRunStore : IRunStore
{
    private const int MaxLimit = 1000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, RunRecord> _runs = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask CreateAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(run.Id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_runs.TryAdd(run.Id, run))
            {
                throw new AegisException(AegisErrors.StoreFailed, $"run {run.Id} already exists") { RunId = run.Id };
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<RunRecord?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_runs.GetValueOrDefault(runId));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryUpdateAsync(RunRecord run, RunStatus expectedStatus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_runs.TryGetValue(run.Id, out var current) || current.Status != expectedStatus)
            {
                return ValueTask.FromResult(false);
            }

            _runs[run.Id] = run;
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<RunPage> ListAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        if (query.Limit is < 1 or > MaxLimit)
        {
            throw new AegisException(AegisErrors.RequestInvalidField, $"limit: {query.Limit.ToString(CultureInfo.InvariantCulture)} is not between 1 and {MaxLimit.ToString(CultureInfo.InvariantCulture)}");
        }

        var after = query.Cursor is null ? default(Position?) : DecodeCursor(query.Cursor);

        List<RunRecord> matches;
        lock (_lock)
        {
            matches = new List<RunRecord>(_runs.Count);
            foreach (var run in _runs.Values)
            {
                if (Matches(run, query) && (after is null || IsAfter(run, after.Value)))
                {
                    matches.Add(run);
                }
            }
        }

        matches.Sort(NewestFirst);
        if (matches.Count <= query.Limit)
        {
            return ValueTask.FromResult(new RunPage(matches, null));
        }

        var page = matches.GetRange(0, query.Limit);
        return ValueTask.FromResult(new RunPage(page, EncodeCursor(page[^1])));
    }

    private static bool Matches(RunRecord run, RunQuery query) =>
        (query.PrincipalId is null || string.Equals(run.PrincipalId, query.PrincipalId, StringComparison.Ordinal))
        && (query.Route is null || string.Equals(run.Route, query.Route, StringComparison.Ordinal))
        && (query.Since is null || run.CreatedAt >= query.Since.Value)
        && (query.Status is null || run.Status == query.Status.Value);

    // Newest first; runs created at the same instant are ordered by id (descending, ordinal) so
    // that paging is stable and a cursor names an exact position.
    private static int NewestFirst(RunRecord x, RunRecord y)
    {
        var byTime = y.CreatedAt.UtcTicks.CompareTo(x.CreatedAt.UtcTicks);
        return byTime != 0 ? byTime : string.CompareOrdinal(y.Id, x.Id);
    }

    private static bool IsAfter(RunRecord run, Position position)
    {
        var ticks = run.CreatedAt.UtcTicks;
        return ticks < position.UtcTicks || (ticks == position.UtcTicks && string.CompareOrdinal(run.Id, position.Id) < 0);
    }

    private static string EncodeCursor(RunRecord last)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{last.CreatedAt.UtcTicks}:{last.Id}");
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
    }

    private static Position DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0
                && colon < text.Length - 1
                && long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                return new Position(ticks, text[(colon + 1)..]);
            }
        }
        catch (FormatException)
        {
            // Not base64url: reported below like any other malformed cursor.
        }

        throw new AegisException(AegisErrors.RequestInvalidField, "cursor");
    }

    private readonly record struct Position(long UtcTicks, string Id);
}
