using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Aegis.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Aegis.AspNetCore.Tests.Endpoints;

public sealed class ErrorTests
{
    [Theory]
    [InlineData("v1/runs", "{\"messages\": [", "AEG-REQ-001")]
    [InlineData("v1/chat/completions", "not json", "AEG-REQ-001")]
    [InlineData("v1/runs", "", "AEG-REQ-001")]
    [InlineData("v1/runs/x/resume", "{decision: approved}", "AEG-REQ-001")]
    [InlineData("v1/chat/completions", "{\"model\": 5, \"messages\": [", "AEG-REQ-001")]
    [InlineData("v1/chat/completions", "{\"model\": \"default\", \"messages\": []} trailing", "AEG-REQ-001")]
    public async Task Malformed_json_is_400_req_001(string path, string json, string code)
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");

        var (response, body) = await gateway.PostAsync(path, json, key);

        ErrorAssert.Coded(response, body, 400, code, "invalid_request_error");
    }

    [Theory]
    [InlineData("v1/runs", """{"messages":[{"role":"user","content":"x"}],"background":"yes"}""", "background")]
    [InlineData("v1/runs", """{"messages":"hello"}""", "messages")]
    [InlineData("v1/runs", """{"messages":[{"role":"user","content":"x"}],"approvers":"bob"}""", "approvers")]
    [InlineData("v1/runs", """{"messages":[{"role":"user","content":42}]}""", "messages[0].content")]
    [InlineData("v1/runs", "[1,2]", "body")]
    [InlineData("v1/chat/completions", """{"model":"default","messages":[{"role":"user","content":"x"}],"temperature":"hot"}""", "temperature")]
    [InlineData("v1/chat/completions", """{"model":"default","messages":[{"role":"user","content":"x"}],"n":2}""", "n")]
    [InlineData("v1/chat/completions", """{"model":"default","messages":[{"role":"user","content":"x"}],"tool_choice":"sometimes"}""", "tool_choice")]
    public async Task Wrong_types_are_400_req_003_naming_the_field(string path, string json, string field)
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");

        var (response, body) = await gateway.PostAsync(path, json, key);

        ErrorAssert.Coded(response, body, 400, "AEG-REQ-003", "invalid_request_error");
        Assert.Contains(field, body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1/runs", """{"route":"default"}""", "messages")]
    [InlineData("v1/runs", """{"messages":[{"content":"x"}]}""", "messages[0].role")]
    [InlineData("v1/chat/completions", """{"messages":[{"role":"user","content":"x"}]}""", "model")]
    [InlineData("v1/chat/completions", """{"model":"default","messages":[{"role":"tool","content":"42"}]}""", "messages[0].tool_call_id")]
    public async Task Missing_fields_are_400_req_002_naming_the_field(string path, string json, string field)
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");

        var (response, body) = await gateway.PostAsync(path, json, key);

        ErrorAssert.Coded(response, body, 400, "AEG-REQ-002", "invalid_request_error");
        Assert.Contains(field, body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_messages_and_unknown_roles_are_coded()
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");

        var (r1, b1) = await gateway.PostAsync("v1/runs", """{"messages":[]}""", key);
        ErrorAssert.Coded(r1, b1, 400, "AEG-REQ-007", "invalid_request_error");
        var (r2, b2) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"wizard","content":"x"}]}""", key);
        ErrorAssert.Coded(r2, b2, 400, "AEG-REQ-008", "invalid_request_error");
    }

    [Theory]
    [InlineData("v1/runs", """{"messages":[{"role":"user","content":"x"}],"route":"nope"}""")]
    [InlineData("v1/chat/completions", """{"model":"nope","messages":[{"role":"user","content":"x"}]}""")]
    public async Task Unknown_route_is_404_req_005(string path, string json)
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");

        var (response, body) = await gateway.PostAsync(path, json, key);

        ErrorAssert.Coded(response, body, 404, "AEG-REQ-005", "not_found_error");
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_with_or_without_content_length()
    {
        await using var gateway = await TestGateway.StartAsync(http: o => o.MaxRequestBodyBytes = 1024);
        var key = await gateway.CreateKeyAsync("alice");
        var big = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', 4000) + "\"}]}";

        var (response, body) = await gateway.PostAsync("v1/runs", big, key);
        ErrorAssert.Coded(response, body, 413, "AEG-REQ-004", "invalid_request_error");

        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Content = new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(big)));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var chunked = await gateway.Client.SendAsync(request);
        var chunkedBody = JsonDocument.Parse(await chunked.Content.ReadAsStringAsync()).RootElement;
        ErrorAssert.Coded(chunked, chunkedBody, 413, "AEG-REQ-004", "invalid_request_error");

        var (small, smallBody) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"fits"}]}""", key);
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal("completed", smallBody.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("GET", "v1/nothing-here")]
    [InlineData("POST", "v1/runs/abc/extra")]
    [InlineData("GET", "v1/")]
    public async Task Unknown_paths_under_v1_are_404_coded(string method, string path)
    {
        await using var gateway = await TestGateway.StartAsync();

        var (response, body) = await gateway.SendAsync(new HttpMethod(method), path, method == "POST" ? "{}" : null);

        ErrorAssert.Coded(response, body, 404, "AEG-REQ-009", "not_found_error");
    }

    [Theory]
    [InlineData("GET", "v1/runs", "POST")]
    [InlineData("DELETE", "v1/runs/abc", "GET")]
    [InlineData("GET", "v1/chat/completions", "POST")]
    [InlineData("POST", "v1/models", "GET")]
    [InlineData("PUT", "approvals", "GET")]
    public async Task Wrong_method_is_405_coded_with_allow(string method, string path, string allow)
    {
        await using var gateway = await TestGateway.StartAsync();

        var (response, body) = await gateway.SendAsync(new HttpMethod(method), path, method is "POST" or "PUT" ? "{}" : null);

        ErrorAssert.Coded(response, body, 405, "AEG-REQ-010", "invalid_request_error");
        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
    }

    [Fact]
    public async Task Key_store_failure_is_500_sto_001_not_401()
    {
        await using var gateway = await TestGateway.StartAsync(services: s => s.AddSingleton<IApiKeyStore, ThrowingKeyStore>());

        var (response, body) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"x"}]}""", "aeg-" + new string('0', 64));

        ErrorAssert.Coded(response, body, 500, "AEG-STO-001", "server_error");
        Assert.DoesNotContain("secret-detail", body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unexpected_exceptions_are_500_srv_002_without_a_trace()
    {
        await using var gateway = await TestGateway.StartAsync(AegisAuthMode.None, services: s => s.AddSingleton<IRunStore, ThrowingRunStore>());

        var (response, body) = await gateway.GetAsync("v1/audit?principal=boom");

        ErrorAssert.Coded(response, body, 500, "AEG-SRV-002", "server_error");
        Assert.DoesNotContain("secret-detail", body.ToString(), StringComparison.Ordinal);
    }

    /// <summary>An in-memory run store that faults when asked for the runs of principal "boom".</summary>
    private sealed class ThrowingRunStore : IRunStore
    {
        private readonly InMemoryRunStore _inner = new();

        public ValueTask CreateAsync(RunRecord run, CancellationToken cancellationToken = default) => _inner.CreateAsync(run, cancellationToken);

        public ValueTask<RunRecord?> GetAsync(string runId, CancellationToken cancellationToken = default) => _inner.GetAsync(runId, cancellationToken);

        public ValueTask<bool> TryUpdateAsync(RunRecord run, RunStatus expectedStatus, CancellationToken cancellationToken = default) => _inner.TryUpdateAsync(run, expectedStatus, cancellationToken);

        public ValueTask<RunPage> ListAsync(RunQuery query, CancellationToken cancellationToken = default) =>
            query.PrincipalId == "boom" ? throw new InvalidOperationException("secret-detail") : _inner.ListAsync(query, cancellationToken);
    }

    private sealed class ThrowingKeyStore : IApiKeyStore
    {
        public ValueTask<CreatedApiKey> CreateAsync(ApiKeyRequest request, CancellationToken cancellationToken = default) => throw new InvalidOperationException("secret-detail");

        public ValueTask<ApiKeyRecord?> FindByHashAsync(string keyHash, CancellationToken cancellationToken = default) => throw new InvalidOperationException("secret-detail");

        public ValueTask MarkUsedAsync(string keyId, DateTimeOffset usedAt, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<IReadOnlyList<ApiKeyRecord>>([]);

        public ValueTask<bool> RevokeAsync(string keyId, CancellationToken cancellationToken = default) => ValueTask.FromResult(false);
    }

    /// <summary>A stream that hides its length, so the client sends it chunked (no Content-Length).</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
