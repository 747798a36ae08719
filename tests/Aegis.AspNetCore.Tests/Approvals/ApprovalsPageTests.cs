using System.Net;
using System.Net.Http.Headers;
using Aegis.AspNetCore.Tests.Infrastructure;

namespace Aegis.AspNetCore.Tests.Approvals;

public sealed class ApprovalsPageTests
{
    [Fact]
    public async Task Page_lists_paused_runs_encoded_with_approve_and_deny_buttons()
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");
        var (_, paused) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"approve-me"}],"approvers":["bob"]}""", key);
        var (_, completed) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"plain"}]}""", key);
        var runId = paused.GetProperty("run_id").GetString()!;

        using var request = new HttpRequestMessage(HttpMethod.Get, "approvals");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await gateway.Client.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(runId, html, StringComparison.Ordinal);
        Assert.DoesNotContain(completed.GetProperty("run_id").GetString()!, html, StringComparison.Ordinal);
        Assert.Contains("contains approve-me &lt;b&gt;&amp;&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>&</b>", html, StringComparison.Ordinal);
        Assert.Contains("data-decision=\"approved\"", html, StringComparison.Ordinal);
        Assert.Contains("data-decision=\"denied\"", html, StringComparison.Ordinal);
        Assert.Contains("sessionStorage", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"http", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_key_the_page_shows_no_runs_but_asks_for_one()
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");
        var (_, paused) = await gateway.PostAsync("v1/runs", """{"messages":[{"role":"user","content":"approve-me"}]}""", key);

        using var response = await gateway.Client.GetAsync("approvals");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(paused.GetProperty("run_id").GetString()!, html, StringComparison.Ordinal);
        Assert.Contains("id=\"key\"", html, StringComparison.Ordinal);
    }
}
