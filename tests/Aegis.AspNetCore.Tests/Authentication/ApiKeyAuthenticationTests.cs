using System.Net;
using Aegis.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Aegis.AspNetCore.Tests.Authentication;

public sealed class ApiKeyAuthenticationTests
{
    private const string Body = """{"messages":[{"role":"user","content":"hi"}]}""";

    [Theory]
    [InlineData(null)]
    [InlineData("aeg-0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sk-not-an-aegis-key")]
    public async Task Missing_or_unknown_key_is_401_auth_001(string? key)
    {
        await using var gateway = await TestGateway.StartAsync();

        var (response, body) = await gateway.PostAsync("v1/runs", Body, key);

        ErrorAssert.Coded(response, body, 401, "AEG-AUTH-001", "authentication_error");
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoked_key_is_401_immediately()
    {
        await using var gateway = await TestGateway.StartAsync();
        var store = gateway.Services.GetRequiredService<IApiKeyStore>();
        var created = await store.CreateAsync(new ApiKeyRequest { Name = "k", PrincipalId = "alice" });
        var (ok, _) = await gateway.PostAsync("v1/runs", Body, created.Key);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        Assert.True(await store.RevokeAsync(created.Record.Id));
        var (response, body) = await gateway.PostAsync("v1/runs", Body, created.Key);

        ErrorAssert.Coded(response, body, 401, "AEG-AUTH-001", "authentication_error");
        Assert.Contains("revoked", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_use_is_recorded_and_its_principal_and_team_reach_the_run()
    {
        await using var gateway = await TestGateway.StartAsync();
        var store = gateway.Services.GetRequiredService<IApiKeyStore>();
        var created = await store.CreateAsync(new ApiKeyRequest { Name = "k", PrincipalId = "carol", Team = "research" });

        var (_, body) = await gateway.PostAsync("v1/runs", Body, created.Key);

        Assert.Equal("carol", body.GetProperty("principal_id").GetString());
        var run = await gateway.Services.GetRequiredService<AegisEngine>().GetRunAsync(body.GetProperty("run_id").GetString()!);
        Assert.Equal("research", run!.Team);
        ApiKeyRecord? record = null;
        for (var i = 0; i < 100 && record?.LastUsedAt is null; i++)
        {
            record = (await store.ListAsync()).Single();
            if (record.LastUsedAt is null)
            {
                await Task.Delay(10);
            }
        }

        Assert.NotNull(record!.LastUsedAt);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task A_key_with_a_blank_team_authenticates_a_principal_without_a_team(string team)
    {
        await using var gateway = await TestGateway.StartAsync();
        var store = gateway.Services.GetRequiredService<IApiKeyStore>();
        var created = await store.CreateAsync(new ApiKeyRequest { Name = "k", PrincipalId = "dave", Team = team });

        var (_, body) = await gateway.PostAsync("v1/runs", Body, created.Key);

        var run = await gateway.Services.GetRequiredService<AegisEngine>().GetRunAsync(body.GetProperty("run_id").GetString()!);
        Assert.Null(run!.Team);
    }

    [Fact]
    public async Task A_request_looks_its_key_up_once()
    {
        // The AegisKey scheme is the only one registered here, yet it must not become the host's default scheme:
        // the authentication middleware would then check every key a second time.
        var store = new CountingKeyStore(new InMemoryApiKeyStore(TimeProvider.System));
        await using var gateway = await TestGateway.StartAsync(services: s => s.AddSingleton<IApiKeyStore>(store));
        var created = await store.CreateAsync(new ApiKeyRequest { Name = "k", PrincipalId = "alice" });

        var (response, _) = await gateway.PostAsync("v1/runs", Body, created.Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, store.Lookups);
    }

    [Fact]
    public async Task Metrics_and_liveness_need_no_key_but_the_api_does()
    {
        await using var gateway = await TestGateway.StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Client.GetAsync("v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Client.GetAsync("v1/audit")).StatusCode);
    }

    [Fact]
    public async Task With_AegisKey_as_the_hosts_default_scheme_the_endpoint_reuses_the_middlewares_check()
    {
        var store = new CountingKeyStore(new InMemoryApiKeyStore(TimeProvider.System));
        await using var gateway = await TestGateway.StartAsync(services: s =>
        {
            s.AddSingleton<IApiKeyStore>(store);
            s.AddAuthentication(AegisKeyDefaults.AuthenticationScheme); // the host's authentication middleware checks the key first
        });
        var created = await store.CreateAsync(new ApiKeyRequest { Name = "k", PrincipalId = "alice" });

        var (response, _) = await gateway.PostAsync("v1/runs", Body, created.Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, store.Lookups);
    }

    /// <summary>Counts key lookups, passing everything through.</summary>
    private sealed class CountingKeyStore(IApiKeyStore inner) : IApiKeyStore
    {
        private int _lookups;

        public int Lookups => Volatile.Read(ref _lookups);

        public ValueTask<CreatedApiKey> CreateAsync(ApiKeyRequest request, CancellationToken cancellationToken = default) => inner.CreateAsync(request, cancellationToken);

        public ValueTask<ApiKeyRecord?> FindByHashAsync(string keyHash, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _lookups);
            return inner.FindByHashAsync(keyHash, cancellationToken);
        }

        public ValueTask MarkUsedAsync(string keyId, DateTimeOffset usedAt, CancellationToken cancellationToken = default) => inner.MarkUsedAsync(keyId, usedAt, cancellationToken);

        public ValueTask<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default) => inner.ListAsync(cancellationToken);

        public ValueTask<bool> RevokeAsync(string keyId, CancellationToken cancellationToken = default) => inner.RevokeAsync(keyId, cancellationToken);
    }
}
