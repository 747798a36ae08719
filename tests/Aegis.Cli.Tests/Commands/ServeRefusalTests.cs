using System.Globalization;
using System.Net;
using Aegis.Cli.Tests.Infrastructure;

namespace Aegis.Cli.Tests.Commands;

/// <summary><c>aegis serve</c> refuses unsafe or broken start-ups with a coded message and no stack trace.</summary>
public sealed class ServeRefusalTests : IDisposable
{
    private const string FakeProvider = """
        providers:
          fake:
            type: fake
            echo: true

        """;

    private readonly TempDirectory _dir = new();

    private Task<CliResult> ServeAsync(params string[] extra) => AegisCli.RunAsync(
        _dir.Path,
        ["serve", "--host", "127.0.0.1", "--port", AegisCli.FreePort().ToString(CultureInfo.InvariantCulture), "--db", _dir.File("aegis.db"), .. extra]);

    private static void AssertRefused(CliResult result, string code)
    {
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("error " + code, result.Error, StringComparison.Ordinal);
        Assert.Contains("fix: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auth_mode_none_without_no_auth_is_refused()
    {
        var config = _dir.Write("aegis.yaml", FakeProvider + "auth: {mode: none}\n");

        var result = await ServeAsync("--config", config);

        AssertRefused(result, "AEG-SRV-001");
        Assert.Contains("auth.mode", result.Error, StringComparison.Ordinal);
        Assert.Contains("--no-auth", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_provider_is_refused_and_points_to_aegis_dev()
    {
        var result = await ServeAsync();

        AssertRefused(result, "AEG-SRV-001");
        Assert.Contains("providers", result.Error, StringComparison.Ordinal);
        Assert.Contains("aegis dev", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("providers:\n  fake:\n    type: fake\n    colour: blue\n", "AEG-CFG-002", "providers.fake.colour")]
    [InlineData("providers:\n  fake:\n    type: nope\n", "AEG-CFG-022", "providers.fake.type")]
    [InlineData("providers:\n  fake:\n    type: fake\nroutes:\n  default:\n    provider: missing\n", "AEG-CFG-010", "routes.default.provider")]
    [InlineData("providers: [oops\n", "AEG-CFG-001", "aegis.yaml")]
    public async Task A_bad_configuration_is_refused_with_its_code_and_key(string yaml, string code, string key)
    {
        var config = _dir.Write("aegis.yaml", yaml);

        var result = await ServeAsync("--config", config);

        AssertRefused(result, code);
        Assert.Contains(key, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_explicitly_named_missing_config_file_is_AEG_CFG_001()
    {
        var result = await ServeAsync("--config", "nowhere.yaml");

        AssertRefused(result, "AEG-CFG-001");
        Assert.Contains("nowhere.yaml", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_in_a_missing_directory_is_a_coded_store_error()
    {
        var config = _dir.Write("aegis.yaml", FakeProvider);

        var result = await AegisCli.RunAsync(_dir.Path, "serve", "--host", "127.0.0.1", "--port", AegisCli.FreePort().ToString(CultureInfo.InvariantCulture),
            "--config", config, "--db", Path.Combine(_dir.Path, "no-such-dir", "aegis.db"));

        AssertRefused(result, "AEG-STO-002");
    }

    [Fact]
    public async Task No_auth_starts_warns_loudly_and_serves_without_a_key()
    {
        _dir.Write("aegis.yaml", FakeProvider + "auth: {mode: none}\n");
        var port = AegisCli.FreePort();

        // aegis.yaml in the working directory is read without --config.
        await using var serve = await GatewayProcess.StartAsync(_dir.Path, port, "serve", "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--no-auth");
        var (response, body) = await serve.SendAsync(HttpMethod.Post, "v1/runs", """{"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("local", body.GetProperty("principal_id").GetString());
        Assert.Contains("AUTHENTICATION IS OFF", serve.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(_dir.File("aegis.db")), "the default database is aegis.db in the working directory");
    }

    [Fact]
    public async Task Serve_without_keys_warns_with_the_keys_create_command_and_answers_401()
    {
        var config = _dir.Write("aegis.yaml", FakeProvider);
        var port = AegisCli.FreePort();

        await using var serve = await GatewayProcess.StartAsync(_dir.Path, port, "serve", "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--config", config, "--db", _dir.File("aegis.db"));
        var (response, body) = await serve.SendAsync(HttpMethod.Post, "v1/runs", """{"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("AEG-AUTH-001", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("aegis keys create", serve.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
