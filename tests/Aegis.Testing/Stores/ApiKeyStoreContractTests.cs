using System.Collections;

namespace Aegis.Testing;

/// <summary>
/// The behaviour every <see cref="IApiKeyStore"/> must have. Subclass it in a test project and
/// implement <see cref="StoreContractTests{TStore}.CreateStore"/>; every test gets a fresh, empty store.
/// </summary>
public abstract class ApiKeyStoreContractTests : StoreContractTests<IApiKeyStore>
{
    [Fact]
    public async Task Create_returns_a_well_formed_key_once_and_stores_only_its_hash()
    {
        var created = await Store.CreateAsync(Request("ci"));

        Assert.Matches("^aeg-[0-9a-f]{64}$", created.Key);
        Assert.True(ApiKeys.IsWellFormed(created.Key));
        Assert.Equal(ApiKeys.Hash(created.Key), created.Record.KeyHash);
        Assert.DoesNotContain(created.Key, created.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_records_the_request_and_the_creation_time()
    {
        var created = await Store.CreateAsync(Request("ci") with
        {
            Team = "payments",
            Labels = new Dictionary<string, string> { ["env"] = "prod", ["tier"] = "gold" },
        });

        var record = created.Record;
        Assert.False(string.IsNullOrWhiteSpace(record.Id));
        Assert.Equal("ci", record.Name);
        Assert.Equal("alice", record.PrincipalId);
        Assert.Equal("payments", record.Team);
        Assert.Equal("prod", record.Labels["env"]);
        Assert.Equal("gold", record.Labels["tier"]);
        Assert.Equal(2, record.Labels.Count);
        AssertSameInstant(Start, record.CreatedAt);
        Assert.Null(record.LastUsedAt);
        Assert.Null(record.RevokedAt);
        Assert.False(record.IsRevoked);
    }

    [Fact]
    public async Task Keys_and_ids_are_unique()
    {
        var keys = new List<CreatedApiKey>();
        for (var i = 0; i < 20; i++)
        {
            keys.Add(await Store.CreateAsync(Request($"k{i}")));
        }

        Assert.Equal(20, keys.Select(k => k.Key).Distinct().Count());
        Assert.Equal(20, keys.Select(k => k.Record.Id).Distinct().Count());
    }

    [Fact]
    public async Task Find_by_hash_returns_the_record_with_every_field()
    {
        var created = await Store.CreateAsync(Request("ci") with
        {
            Team = "payments",
            Labels = new Dictionary<string, string> { ["env"] = "prod" },
        });

        var found = await Store.FindByHashAsync(ApiKeys.Hash(created.Key));

        Assert.NotNull(found);
        AssertSameKey(created.Record, found);
        Assert.Equal(new Principal("alice", "payments", new Dictionary<string, string> { ["env"] = "prod" }).Id, found.ToPrincipal().Id);
        Assert.Equal("payments", found.ToPrincipal().Team);
    }

    [Fact]
    public async Task Find_by_an_unknown_hash_returns_null()
    {
        await Store.CreateAsync(Request("ci"));

        Assert.Null(await Store.FindByHashAsync(ApiKeys.Hash(ApiKeys.Generate())));
    }

    [Fact]
    public async Task Find_by_the_plaintext_key_instead_of_its_hash_finds_nothing()
    {
        var created = await Store.CreateAsync(Request("ci"));

        Assert.Null(await Store.FindByHashAsync(created.Key));
    }

    [Fact]
    public async Task List_returns_every_key_oldest_first()
    {
        var created = new List<CreatedApiKey>();
        foreach (var name in new[] { "first", "second", "third" })
        {
            created.Add(await Store.CreateAsync(Request(name)));
            Time.Advance(TimeSpan.FromMinutes(5));
        }

        var list = await Store.ListAsync();

        Assert.Equal(["first", "second", "third"], list.Select(k => k.Name));
        Assert.Equal(created.Select(c => c.Record.Id), list.Select(k => k.Id));
    }

    [Fact]
    public async Task List_of_an_empty_store_is_empty()
    {
        Assert.Empty(await Store.ListAsync());
    }

    [Fact]
    public async Task Neither_list_nor_find_ever_exposes_the_plaintext_key()
    {
        var created = await Store.CreateAsync(Request("ci") with { Labels = new Dictionary<string, string> { ["env"] = "prod" } });

        var records = new List<ApiKeyRecord>(await Store.ListAsync()) { (await Store.FindByHashAsync(created.Record.KeyHash))! };

        foreach (var record in records)
        {
            foreach (var value in PropertyValues(record))
            {
                Assert.NotEqual(created.Key, value);
                Assert.DoesNotContain(created.Key[ApiKeys.Prefix.Length..], value, StringComparison.Ordinal);
            }

            Assert.DoesNotContain(created.Key, record.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Revoke_marks_the_key_revoked_and_find_still_returns_it()
    {
        var created = await Store.CreateAsync(Request("ci"));
        var other = await Store.CreateAsync(Request("other"));
        Time.Advance(TimeSpan.FromHours(1));

        Assert.True(await Store.RevokeAsync(created.Record.Id));

        var found = await Store.FindByHashAsync(created.Record.KeyHash);
        Assert.NotNull(found);
        Assert.True(found.IsRevoked);
        AssertSameInstant(Start.AddHours(1), found.RevokedAt);
        Assert.True((await Store.ListAsync()).Single(k => k.Id == created.Record.Id).IsRevoked);
        Assert.False((await Store.FindByHashAsync(other.Record.KeyHash))!.IsRevoked);
    }

    [Fact]
    public async Task Revoke_of_a_revoked_key_still_succeeds()
    {
        var created = await Store.CreateAsync(Request("ci"));
        await Store.RevokeAsync(created.Record.Id);

        Assert.True(await Store.RevokeAsync(created.Record.Id));
        Assert.True((await Store.FindByHashAsync(created.Record.KeyHash))!.IsRevoked);
    }

    [Fact]
    public async Task Revoke_of_an_unknown_id_returns_false()
    {
        await Store.CreateAsync(Request("ci"));

        Assert.False(await Store.RevokeAsync("key_000000000000"));
        Assert.DoesNotContain(await Store.ListAsync(), k => k.IsRevoked);
    }

    [Fact]
    public async Task MarkUsed_updates_last_used()
    {
        var created = await Store.CreateAsync(Request("ci"));
        var usedAt = Start.AddMinutes(7).AddMilliseconds(250);

        await Store.MarkUsedAsync(created.Record.Id, usedAt);

        AssertSameInstant(usedAt, (await Store.FindByHashAsync(created.Record.KeyHash))!.LastUsedAt);
        AssertSameInstant(usedAt, (await Store.ListAsync()).Single().LastUsedAt);

        var later = usedAt.AddHours(2);
        await Store.MarkUsedAsync(created.Record.Id, later);
        AssertSameInstant(later, (await Store.FindByHashAsync(created.Record.KeyHash))!.LastUsedAt);
    }

    [Fact]
    public async Task MarkUsed_of_one_key_leaves_the_others_alone()
    {
        var used = await Store.CreateAsync(Request("used"));
        var idle = await Store.CreateAsync(Request("idle"));

        await Store.MarkUsedAsync(used.Record.Id, Start.AddMinutes(1));

        Assert.Null((await Store.FindByHashAsync(idle.Record.KeyHash))!.LastUsedAt);
    }

    /// <summary>A request for a key of principal <c>alice</c>.</summary>
    protected static ApiKeyRequest Request(string name) => new() { Name = name, PrincipalId = "alice" };

    /// <summary>Asserts that a record read back equals the one created, field by field.</summary>
    protected static void AssertSameKey(ApiKeyRecord expected, ApiKeyRecord actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.PrincipalId, actual.PrincipalId);
        Assert.Equal(expected.Team, actual.Team);
        Assert.Equal(expected.Labels.OrderBy(p => p.Key, StringComparer.Ordinal), actual.Labels.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(expected.KeyHash, actual.KeyHash);
        AssertSameInstant(expected.CreatedAt, actual.CreatedAt);
        AssertSameInstant(expected.LastUsedAt, actual.LastUsedAt);
        AssertSameInstant(expected.RevokedAt, actual.RevokedAt);
    }

    // Every string a record exposes through its public properties, including dictionary keys and values.
    private static IEnumerable<string> PropertyValues(ApiKeyRecord record)
    {
        foreach (var property in typeof(ApiKeyRecord).GetProperties())
        {
            switch (property.GetValue(record))
            {
                case string s:
                    yield return s;
                    break;
                case IEnumerable<KeyValuePair<string, string>> pairs:
                    foreach (var pair in pairs)
                    {
                        yield return pair.Key;
                        yield return pair.Value;
                    }

                    break;
                case IEnumerable items:
                    foreach (var item in items)
                    {
                        yield return item?.ToString() ?? string.Empty;
                    }

                    break;
                case { } other:
                    yield return other.ToString() ?? string.Empty;
                    break;
            }
        }
    }
}
