using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Aegis.Storage.Sqlite.Tests.Keys;

public sealed class SqliteApiKeyStoreTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Stores_only_the_hash_and_finds_by_it()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        string plaintext;
        using (var database = _temp.Open())
        {
            var store = new SqliteApiKeyStore(database, time);
            var created = await store.CreateAsync(new ApiKeyRequest { Name = "ci", PrincipalId = "svc-ci", Team = "platform", Labels = new Dictionary<string, string> { ["env"] = "prod" } });
            plaintext = created.Key;
            Assert.True(ApiKeys.IsWellFormed(plaintext));
            Assert.Equal(ApiKeys.Hash(plaintext), created.Record.KeyHash);

            var found = await store.FindByHashAsync(ApiKeys.Hash(plaintext));
            Assert.NotNull(found);
            Assert.Equal("svc-ci", found.PrincipalId);
            Assert.Equal("platform", found.Team);
            Assert.Equal("prod", found.Labels["env"]);
            Assert.Equal(time.GetUtcNow(), found.CreatedAt);
            Assert.Null(await store.FindByHashAsync(ApiKeys.Hash(ApiKeys.Generate())));
        }

        Assert.Equal(-1, _temp.RawBytes().AsSpan().IndexOf(Encoding.UTF8.GetBytes(plaintext)));
    }

    [Fact]
    public async Task Lists_oldest_first_marks_use_and_revokes()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        using var database = _temp.Open();
        var store = new SqliteApiKeyStore(database, time);
        var first = await store.CreateAsync(new ApiKeyRequest { Name = "one", PrincipalId = "p1" });
        time.Advance(TimeSpan.FromMinutes(1));
        var second = await store.CreateAsync(new ApiKeyRequest { Name = "two", PrincipalId = "p2" });
        await store.MarkUsedAsync(first.Record.Id, time.GetUtcNow().AddSeconds(5));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await store.RevokeAsync(second.Record.Id));
        Assert.False(await store.RevokeAsync("key_000000000000"));

        var list = await store.ListAsync();
        Assert.Equal(["one", "two"], list.Select(k => k.Name));
        Assert.Equal(time.GetUtcNow().AddMinutes(-1).AddSeconds(5), list[0].LastUsedAt);
        Assert.False(list[0].IsRevoked);
        Assert.Equal(time.GetUtcNow(), list[1].RevokedAt);
    }

    [Fact]
    public async Task Revocation_by_another_instance_is_seen_within_two_seconds()
    {
        using var server = _temp.Open();
        using var admin = _temp.Open();
        var serverKeys = new SqliteApiKeyStore(server);
        var adminKeys = new SqliteApiKeyStore(admin);
        var created = await adminKeys.CreateAsync(new ApiKeyRequest { Name = "k", PrincipalId = "p" });
        var hash = ApiKeys.Hash(created.Key);
        Assert.False((await serverKeys.FindByHashAsync(hash))!.IsRevoked);

        Assert.True(await adminKeys.RevokeAsync(created.Record.Id));
        var watch = Stopwatch.StartNew();
        var revoked = false;
        while (!revoked && watch.Elapsed < TimeSpan.FromSeconds(2))
        {
            revoked = (await serverKeys.FindByHashAsync(hash))!.IsRevoked;
        }

        Assert.True(revoked);
    }

    [Fact]
    public async Task A_revocation_or_a_new_key_from_another_instance_is_seen_by_the_very_next_lookup()
    {
        using var server = _temp.Open();
        using var admin = _temp.Open();
        var serverKeys = new SqliteApiKeyStore(server);
        var adminKeys = new SqliteApiKeyStore(admin);
        var created = await adminKeys.CreateAsync(new ApiKeyRequest { Name = "k", PrincipalId = "p" });
        var hash = ApiKeys.Hash(created.Key);
        var unknown = ApiKeys.Hash(ApiKeys.Generate());

        // Found and not-found lookups on the same pooled connection must not keep a read snapshot open.
        for (var i = 0; i < 3; i++)
        {
            Assert.False((await serverKeys.FindByHashAsync(hash))!.IsRevoked);
            Assert.Null(await serverKeys.FindByHashAsync(unknown));
        }

        Assert.True(await adminKeys.RevokeAsync(created.Record.Id));
        Assert.True((await serverKeys.FindByHashAsync(hash))!.IsRevoked);

        var later = await adminKeys.CreateAsync(new ApiKeyRequest { Name = "later", PrincipalId = "q", Team = "t", Labels = new Dictionary<string, string> { ["tier"] = "gold" } });
        var found = await serverKeys.FindByHashAsync(ApiKeys.Hash(later.Key));
        Assert.Equal("q", found!.PrincipalId);
        Assert.Equal("t", found.Team);
        Assert.Equal("gold", found.Labels["tier"]);
    }
}
