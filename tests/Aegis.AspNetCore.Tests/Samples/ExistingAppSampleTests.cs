using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Aegis.AspNetCore.Tests.Samples;

/// <summary>Runs samples/Aegis.Samples.ExistingApp: its own endpoint and a governed one, with the host's own authentication.</summary>
public sealed class ExistingAppSampleTests : IClassFixture<SampleFactory>
{
    private readonly SampleFactory _factory;

    public ExistingAppSampleTests(SampleFactory factory) => _factory = factory;

    [Fact]
    public async Task Own_endpoint_and_governed_endpoint_share_the_host_authentication()
    {
        using var client = _factory.CreateClient();

        var hello = await client.GetStringAsync("/hello");
        Assert.Equal("Hello, anonymous!", hello);

        using var run = new HttpRequestMessage(HttpMethod.Post, "/ai/v1/runs")
        {
            Content = new StringContent("""{"messages":[{"role":"user","content":"governed hello"}]}""", Encoding.UTF8, "application/json"),
        };
        run.Headers.Add("X-Demo-User", "alice");
        using var runResponse = await client.SendAsync(run);
        var body = JsonDocument.Parse(await runResponse.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, runResponse.StatusCode);
        Assert.Equal("alice", body.GetProperty("principal_id").GetString());
        Assert.Equal("governed hello", body.GetProperty("response").GetString());

        using var chat = new HttpRequestMessage(HttpMethod.Post, "/ai/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"default","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        chat.Headers.Add("X-Demo-User", "bob");
        using var chatResponse = await client.SendAsync(chat);
        Assert.Equal(HttpStatusCode.OK, chatResponse.StatusCode);
        Assert.True(chatResponse.Headers.Contains("x-aegis-run-id"));
    }

    [Fact]
    public async Task Governed_endpoint_without_the_host_user_is_401_coded()
    {
        using var client = _factory.CreateClient();

        using var response = await client.PostAsync("/ai/v1/runs", new StringContent("""{"messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("AEG-AUTH-001", body.GetProperty("error").GetProperty("code").GetString());
    }
}

/// <summary>The sample's own host, started in-process.</summary>
public sealed class SampleFactory : WebApplicationFactory<Program>;
