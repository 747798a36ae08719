using System.Globalization;
using System.Net;
using System.Text.Json;
using Aegis.Cli.Tests.Infrastructure;

namespace Aegis.Cli.Tests.Commands;

/// <summary><c>aegis keys create | list | revoke</c> against the database a running gateway uses.</summary>
public sealed class KeysTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Db => _dir.File("aegis.db");

    [Fact]
    public async Task Create_prints_the_key_once_and_list_never_shows_it()
    {
        var created = await AegisCli.RunAsync(_dir.Path, "keys", "create", "--name", "ci", "--principal", "alice", "--team", "research", "--db", Db, "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        using var json = JsonDocument.Parse(created.Output);
        var key = json.RootElement.GetProperty("key").GetString()!;
        var id = json.RootElement.GetProperty("id").GetString()!;
        Assert.Matches("^aeg-[0-9a-f]{64}$", key);

        var listed = await AegisCli.RunAsync(_dir.Path, "keys", "list", "--db", Db, "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.DoesNotContain(key, listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key[4..], listed.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(Keys.KeyPattern(), listed.Output);
        using var list = JsonDocument.Parse(listed.Output);
        var entry = Assert.Single(list.RootElement.EnumerateArray());
        Assert.Equal(id, entry.GetProperty("id").GetString());
        Assert.Equal("ci", entry.GetProperty("name").GetString());
        Assert.Equal("alice", entry.GetProperty("principal_id").GetString());
        Assert.Equal("research", entry.GetProperty("team").GetString());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("revoked_at").ValueKind);
        Assert.False(entry.TryGetProperty("key", out _));
        Assert.False(entry.TryGetProperty("key_hash", out _));

        var table = await AegisCli.RunAsync(_dir.Path, "keys", "list", "--db", Db);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("LAST USED", table.Output, StringComparison.Ordinal);
        Assert.Contains(id, table.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_key_gets_401_from_the_running_gateway()
    {
        var config = _dir.Write("aegis.yaml", "providers:\n  fake:\n    type: fake\n    echo: true\n");
        var (id, key) = await Keys.CreateAsync(_dir.Path, Db, "alice");
        var port = AegisCli.FreePort();
        await using var serve = await GatewayProcess.StartAsync(_dir.Path, port, "serve", "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--config", config, "--db", Db);
        const string Body = """{"model":"default","messages":[{"role":"user","content":"hi"}]}""";

        var (before, _) = await serve.SendAsync(HttpMethod.Post, "v1/chat/completions", Body, key);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        var revoked = await AegisCli.RunAsync(_dir.Path, "keys", "revoke", id, "--db", Db);
        Assert.True(revoked.ExitCode == 0, revoked.ToString());

        var (after, error) = await serve.SendAsync(HttpMethod.Post, "v1/chat/completions", Body, key);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("AEG-AUTH-001", error.GetProperty("error").GetProperty("code").GetString());

        var listed = await AegisCli.RunAsync(_dir.Path, "keys", "list", "--db", Db, "--json");
        using var list = JsonDocument.Parse(listed.Output);
        Assert.NotEqual(JsonValueKind.Null, list.RootElement[0].GetProperty("revoked_at").ValueKind);
    }

    [Fact]
    public async Task Revoking_an_unknown_id_is_a_coded_error_with_exit_code_1()
    {
        await Keys.CreateAsync(_dir.Path, Db, "alice");

        var result = await AegisCli.RunAsync(_dir.Path, "keys", "revoke", "key_000000000000", "--db", Db);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error AEG-KEY-001", result.Error, StringComparison.Ordinal);
        Assert.Contains("key_000000000000", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_a_database_that_does_not_exist_is_an_error_and_creates_nothing()
    {
        var result = await AegisCli.RunAsync(_dir.Path, "keys", "list", "--db", Db);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error AEG-STO-001", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Db));
    }

    [Fact]
    public async Task The_database_comes_from_persistence_path_when_db_is_not_given()
    {
        _dir.Write("aegis.yaml", "persistence:\n  path: from-config.db\n");

        var created = await AegisCli.RunAsync(_dir.Path, "keys", "create", "--name", "bob");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.True(File.Exists(_dir.File("from-config.db")), created.ToString());
        Assert.False(File.Exists(Db));
    }

    public void Dispose() => _dir.Dispose();
}
