namespace Aegis.Storage.Sqlite.Tests.Runs;

/// <summary>
/// The run-listing indexes are ascending (a new run, the newest, is appended at their end), and every filter
/// combination <see cref="SqliteRunStore.ListAsync"/> sends is served by one of them, walked in order, without a sort.
/// </summary>
public sealed class RunListingIndexTests : IDisposable
{
    private static readonly Dictionary<string, string[]> ListingIndexes = new(StringComparer.Ordinal)
    {
        ["runs_by_created"] = ["created_at"],
        ["runs_by_principal"] = ["principal_id", "created_at"],
        ["runs_by_route"] = ["route", "created_at"],
        ["runs_by_status"] = ["status", "created_at"],
    };

    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_new_file_has_ascending_listing_indexes()
    {
        using var database = _temp.Open();
        AssertAscendingListingIndexes(_temp);
    }

    [Fact]
    public void Every_filter_combination_lists_from_an_index_in_order_without_a_sort()
    {
        using var database = _temp.Open();
        AssertListingPlans(_temp);
    }

    /// <summary>Each listing index has exactly its key columns, none descending (the rowid, <c>seq</c>, follows them in every entry).</summary>
    internal static void AssertAscendingListingIndexes(TempDatabase temp)
    {
        using var connection = temp.OpenRaw();
        foreach (var (index, columns) in ListingIndexes)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT name, \"desc\" FROM pragma_index_xinfo('{index}') WHERE key = 1 ORDER BY seqno;";
            var keys = new List<string>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                Assert.True(reader.GetInt64(1) == 0, $"{index}.{reader.GetString(0)} is descending");
                keys.Add(reader.GetString(0));
            }

            Assert.Equal(columns, keys);
        }
    }

    /// <summary>EXPLAIN QUERY PLAN of the listing query for all 32 combinations of principal, route, since, status and cursor.</summary>
    internal static void AssertListingPlans(TempDatabase temp)
    {
        using var connection = temp.OpenRaw();
        for (var filters = 0; filters < 32; filters++)
        {
            var query = new RunQuery
            {
                PrincipalId = (filters & 1) != 0 ? "alice" : null,
                Route = (filters & 2) != 0 ? "chat" : null,
                Since = (filters & 4) != 0 ? DateTimeOffset.UnixEpoch : null,
                Status = (filters & 8) != 0 ? RunStatus.Paused : null,
                Cursor = (filters & 16) != 0 ? "1.1" : null,
            };
            using var command = connection.CreateCommand();
            command.CommandText = "EXPLAIN QUERY PLAN " + SqliteRunStore.ListSql(query);
            foreach (var name in (string[])["$principal", "$route", "$since", "$status", "$cursor_ticks", "$cursor_seq", "$limit"])
            {
                if (command.CommandText.Contains(name, StringComparison.Ordinal))
                {
                    command.Parameters.AddWithValue(name, 1);
                }
            }

            var steps = new List<string>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    steps.Add(reader.GetString(3));
                }
            }

            var plan = string.Join(" ; ", steps);
            Assert.True(!plan.Contains("TEMP B-TREE", StringComparison.Ordinal) && plan.Contains("INDEX runs_by_", StringComparison.Ordinal), $"{query}: {plan}");
        }
    }
}
