using System.Globalization;
using System.Net;
using System.Text.Json;
using Aegis.AspNetCore.Tests.Infrastructure;

namespace Aegis.AspNetCore.Tests.Endpoints;

public sealed class NativeApiTests
{
    [Fact]
    public async Task Run_completes_with_the_seed_fields_and_events()
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");

        var (response, body) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"Hello"}]}""", key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var runId = body.GetProperty("run_id").GetString();
        Assert.Equal(runId, response.Headers.GetValues("x-aegis-run-id").Single());
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal("Hello", body.GetProperty("response").GetString());
        Assert.Equal("alice", body.GetProperty("principal_id").GetString());
        var usage = body.GetProperty("usage");
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt64() + usage.GetProperty("completion_tokens").GetInt64(), usage.GetProperty("total_tokens").GetInt64());
        Assert.True(usage.GetProperty("total_tokens").GetInt64() > 0);
        var events = body.GetProperty("events").EnumerateArray().ToList();
        Assert.Contains(events, e => e.TryGetProperty("status", out var s) && s.GetString() == "completed");
        Assert.Contains(events, e => e.TryGetProperty("node", out var n) && n.GetString() == "blocker" && e.GetProperty("verdict").GetString() == "allow" && e.GetProperty("stage").GetString() == "ingress");
        Assert.All(events, e => Assert.True(e.GetProperty("seq").GetInt64() > 0));
        Assert.DoesNotContain("Hello", body.GetProperty("events").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Poll_returns_the_run_with_route_principal_approvers_and_timestamps()
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");
        var (_, created) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"Hi"}],"route":"default","approvers":["bob"]}""", key);
        var runId = created.GetProperty("run_id").GetString();

        var (response, body) = await gateway.GetAsync($"v1/runs/{runId}", key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(runId, body.GetProperty("run_id").GetString());
        Assert.Equal("default", body.GetProperty("route").GetString());
        Assert.Equal("alice", body.GetProperty("principal_id").GetString());
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal("bob", Assert.Single(body.GetProperty("approvers").EnumerateArray()).GetString());
        Assert.Equal("Hi", body.GetProperty("response").GetString());
        Assert.True(body.GetProperty("usage").GetProperty("total_tokens").GetInt64() > 0);
        Assert.True(body.TryGetProperty("created_at", out _));
        Assert.True(body.TryGetProperty("updated_at", out _));
    }

    [Fact]
    public async Task Background_run_is_pending_and_polled_to_completed()
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");

        var (response, body) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"later"}],"background":true}""", key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(body.GetProperty("status").GetString(), new[] { "pending", "running", "completed" });
        Assert.Equal(JsonValueKind.Null, body.GetProperty("response").ValueKind);
        var runId = body.GetProperty("run_id").GetString();

        JsonElement polled = default;
        for (var i = 0; i < 200; i++)
        {
            (_, polled) = await gateway.GetAsync($"v1/runs/{runId}", key);
            if (polled.GetProperty("status").GetString() == "completed")
            {
                break;
            }

            await Task.Delay(25);
        }

        Assert.Equal("completed", polled.GetProperty("status").GetString());
        Assert.Equal("later", polled.GetProperty("response").GetString());
    }

    [Fact]
    public async Task Approval_flow_across_two_keys()
    {
        await using var gateway = await TestGateway.StartAsync();
        var alice = await gateway.CreateKeyAsync("alice");
        var bob = await gateway.CreateKeyAsync("bob");

        var (paused, pausedBody) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"please approve-me"}],"approvers":["bob"]}""", alice);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal("paused", pausedBody.GetProperty("status").GetString());
        var runId = pausedBody.GetProperty("run_id").GetString();

        var (denied, deniedBody) = await gateway.PostAsync($"v1/runs/{runId}/resume", """{"decision":"approved"}""", alice);
        ErrorAssert.Coded(denied, deniedBody, 403, "AEG-AUTH-003", "permission_error");
        Assert.Equal(runId, denied.Headers.GetValues("x-aegis-run-id").Single());

        var (approved, approvedBody) = await gateway.PostAsync($"v1/runs/{runId}/resume", """{"decision":"approved"}""", bob);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("completed", approvedBody.GetProperty("status").GetString());
        Assert.Equal("please approve-me", approvedBody.GetProperty("response").GetString());
        Assert.Equal("alice", approvedBody.GetProperty("principal_id").GetString());
        var statuses = approvedBody.GetProperty("events").EnumerateArray().Where(e => e.TryGetProperty("status", out _)).Select(e => e.GetProperty("status").GetString()).ToList();
        Assert.Contains("paused", statuses);
        Assert.Equal("completed", statuses[^1]);

        var (again, againBody) = await gateway.PostAsync($"v1/runs/{runId}/resume", """{"decision":"denied"}""", bob);
        ErrorAssert.Coded(again, againBody, 409, "AEG-RUN-002", "conflict_error");
    }

    [Fact]
    public async Task Denied_run_ends_blocked()
    {
        await using var gateway = await TestGateway.StartAsync();
        var alice = await gateway.CreateKeyAsync("alice");
        var (_, pausedBody) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"approve-me"}]}""", alice);
        var runId = pausedBody.GetProperty("run_id").GetString();

        var (response, body) = await gateway.PostAsync($"v1/runs/{runId}/resume", """{"decision":"denied"}""", alice);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("blocked", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Resume_errors_are_coded()
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");
        var (_, done) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"hi"}]}""", key);
        var (_, paused) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"approve-me"}]}""", key);

        var (r1, b1) = await gateway.PostAsync($"v1/runs/{done.GetProperty("run_id").GetString()}/resume", """{"decision":"approved"}""", key);
        ErrorAssert.Coded(r1, b1, 409, "AEG-RUN-002", "conflict_error");

        var (r2, b2) = await gateway.PostAsync("v1/runs/00000000-0000-0000-0000-000000000000/resume", """{"decision":"approved"}""", key);
        ErrorAssert.Coded(r2, b2, 404, "AEG-RUN-001", "not_found_error");

        var (r3, b3) = await gateway.PostAsync($"v1/runs/{paused.GetProperty("run_id").GetString()}/resume", """{"decision":"maybe"}""", key);
        ErrorAssert.Coded(r3, b3, 400, "AEG-REQ-006", "invalid_request_error");

        var (r4, b4) = await gateway.GetAsync("v1/runs/nope", key);
        ErrorAssert.Coded(r4, b4, 404, "AEG-RUN-001", "not_found_error");
    }

    [Fact]
    public async Task Blocked_run_is_a_200_with_status_blocked_on_the_native_api()
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");

        var (response, body) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"something forbidden"}]}""", key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("blocked", body.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("response").ValueKind);
        Assert.Contains("forbidden", body.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_filters_and_pages()
    {
        await using var gateway = await TestGateway.StartAsync();
        var alice = await gateway.CreateKeyAsync("alice");
        var bob = await gateway.CreateKeyAsync("bob");
        var before = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture);
        await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"a1"}]}""", alice);
        await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"a2"}]}""", alice);
        await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"b1"}],"route":"restricted"}""", bob);

        var (response, all) = await gateway.GetAsync("v1/audit", alice);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, all.GetProperty("runs").GetArrayLength());

        var (_, onlyAlice) = await gateway.GetAsync("v1/audit?principal=alice", alice);
        Assert.All(onlyAlice.GetProperty("runs").EnumerateArray(), r => Assert.Equal("alice", r.GetProperty("principal_id").GetString()));
        Assert.Equal(2, onlyAlice.GetProperty("runs").GetArrayLength());

        var (_, bobRestricted) = await gateway.GetAsync("v1/audit?principal=bob&route=restricted", alice);
        var run = Assert.Single(bobRestricted.GetProperty("runs").EnumerateArray());
        Assert.Equal("restricted", run.GetProperty("route").GetString());
        Assert.True(run.GetProperty("events").GetArrayLength() > 0);
        Assert.True(run.TryGetProperty("created_at", out _));
        Assert.True(run.TryGetProperty("approvers", out _));

        var (_, none) = await gateway.GetAsync("v1/audit?principal=alice&route=restricted", alice);
        Assert.Equal(0, none.GetProperty("runs").GetArrayLength());

        var (_, since) = await gateway.GetAsync("v1/audit?since=" + Uri.EscapeDataString(before), alice);
        Assert.Equal(3, since.GetProperty("runs").GetArrayLength());
        var (_, future) = await gateway.GetAsync("v1/audit?since=2999-01-01T00:00:00Z", alice);
        Assert.Equal(0, future.GetProperty("runs").GetArrayLength());

        var (_, page1) = await gateway.GetAsync("v1/audit?limit=2", alice);
        Assert.Equal(2, page1.GetProperty("runs").GetArrayLength());
        var cursor = page1.GetProperty("next_cursor").GetString();
        Assert.NotNull(cursor);
        var (_, page2) = await gateway.GetAsync("v1/audit?limit=2&cursor=" + Uri.EscapeDataString(cursor!), alice);
        Assert.Equal(1, page2.GetProperty("runs").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("next_cursor").ValueKind);

        var (bad, badBody) = await gateway.GetAsync("v1/audit?since=yesterday", alice);
        ErrorAssert.Coded(bad, badBody, 400, "AEG-REQ-003", "invalid_request_error");
        Assert.Contains("since", badBody.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var (badLimit, badLimitBody) = await gateway.GetAsync("v1/audit?limit=0", alice);
        ErrorAssert.Coded(badLimit, badLimitBody, 400, "AEG-REQ-003", "invalid_request_error");
    }

    [Theory]
    [InlineData("v1/rag/index", """{"documents":[{"text":"x"}]}""")]
    [InlineData("v1/rag/query", """{"query":"x"}""")]
    public async Task Rag_endpoints_answer_not_configured(string path, string json)
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");

        var (response, body) = await gateway.PostAsync(path, json, key);

        ErrorAssert.Coded(response, body, 503, "AEG-RAG-001", "server_error");
    }

    [Fact]
    public async Task Route_restricted_to_other_principals_is_403()
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");

        var (response, body) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"x"}],"route":"restricted"}""", key);

        ErrorAssert.Coded(response, body, 403, "AEG-AUTH-002", "permission_error");
    }

    [Fact]
    public async Task Liveness_needs_no_key()
    {
        await using var gateway = await TestGateway.StartAsync();

        var (response, body) = await gateway.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Dev_mode_needs_no_key_and_runs_as_the_local_principal()
    {
        await using var gateway = await TestGateway.StartAsync(AegisAuthMode.None);

        var (response, body) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Principal.Local.Id, body.GetProperty("principal_id").GetString());
    }

    [Fact]
    public async Task Prefix_mounts_everything_under_it()
    {
        await using var gateway = await TestGateway.StartAsync(AegisAuthMode.None, prefix: "/ai");

        var (response, body) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("completed", body.GetProperty("status").GetString());

        var (unknown, unknownBody) = await gateway.GetAsync("whatever");
        ErrorAssert.Coded(unknown, unknownBody, 404, "AEG-REQ-009", "not_found_error");
    }
}
