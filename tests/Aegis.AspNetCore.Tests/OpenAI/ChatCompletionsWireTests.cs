using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Aegis.AspNetCore.Tests.Infrastructure;

namespace Aegis.AspNetCore.Tests.OpenAI;

/// <summary>The OpenAI wire format, checked on the raw bytes.</summary>
public sealed class ChatCompletionsWireTests
{
    [Fact]
    public async Task Completion_has_the_chat_completion_shape_and_ignores_unknown_fields()
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");

        var (response, body) = await gateway.PostAsync("v1/chat/completions", """
            {"model":"default","messages":[{"role":"system","content":"be nice"},{"role":"user","content":[{"type":"text","text":"Hello "},{"type":"text","text":"there"}]}],
             "temperature":0.2,"top_p":0.9,"max_tokens":50,"stop":["\n\n"],"user":"u1","n":1,"logit_bias":{"50256":-100},"some_future_field":{"x":1}}
            """, key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var runId = response.Headers.GetValues("x-aegis-run-id").Single();
        Assert.Equal("chatcmpl-" + runId, body.GetProperty("id").GetString());
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal("default", body.GetProperty("model").GetString());
        Assert.True(body.GetProperty("created").GetInt64() > 1_600_000_000);
        var choice = Assert.Single(body.GetProperty("choices").EnumerateArray());
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("Hello there", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind); // present and null, as OpenAI sends it
        Assert.True(body.GetProperty("usage").GetProperty("total_tokens").GetInt64() > 0);
    }

    [Fact]
    public async Task Completion_bodies_have_an_exact_content_length_small_or_large_one_after_another()
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");
        gateway.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        // Small, large (past the per-thread buffer that is kept), then small again: each body is whole and its own.
        foreach (var text in new[] { "first", new string('a', 100_000), "second" })
        {
            using var response = await gateway.Client.PostAsync("v1/chat/completions", new StringContent(
                $$"""{"model":"default","messages":[{"role":"user","content":"{{text}}"}]}""", Encoding.UTF8, "application/json"));
            var bytes = await response.Content.ReadAsByteArrayAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
            Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var body = JsonDocument.Parse(bytes);
            Assert.Equal(text, body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        }
    }

    [Fact]
    public async Task Stream_sends_chunks_then_done_with_usage_when_asked()
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("""{"model":"default","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Streaming is fun"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);

        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var runId = response.Headers.GetValues("x-aegis-run-id").Single();
        var text = await response.Content.ReadAsStringAsync();

        var frames = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(frames, f => Assert.StartsWith("data: ", f, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", frames[^1]);
        var chunks = frames[..^1].Select(f => JsonDocument.Parse(f["data: ".Length..]).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.All(chunks, c => Assert.Equal("chatcmpl-" + runId, c.GetProperty("id").GetString()));
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());

        var content = new StringBuilder();
        foreach (var chunk in chunks)
        {
            foreach (var choice in chunk.GetProperty("choices").EnumerateArray())
            {
                if (choice.GetProperty("delta").TryGetProperty("content", out var delta))
                {
                    content.Append(delta.GetString());
                }
            }
        }

        Assert.Equal("Streaming is fun", content.ToString());
        var final = chunks[^2].GetProperty("choices")[0];
        Assert.Equal("stop", final.GetProperty("finish_reason").GetString());
        var usage = chunks[^1];
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.True(usage.GetProperty("usage").GetProperty("total_tokens").GetInt64() > 0);
    }

    [Fact]
    public async Task Stream_without_include_usage_has_no_usage_chunk()
    {
        await using var gateway = await TestGateway.StartAsync(AegisAuthMode.None);
        using var response = await gateway.Client.PostAsync("v1/chat/completions", new StringContent("""{"model":"default","stream":true,"messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("\"usage\"", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blocked_and_paused_runs_are_coded_errors_with_the_run_id_streaming_or_not()
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");

        foreach (var stream in new[] { "false", "true" })
        {
            var (blocked, blockedBody) = await gateway.PostAsync("v1/chat/completions", $$"""{"model":"default","stream":{{stream}},"messages":[{"role":"user","content":"forbidden stuff"}]}""", key);
            ErrorAssert.Coded(blocked, blockedBody, 403, "AEG-POL-004", "permission_error");
            var runId = blocked.Headers.GetValues("x-aegis-run-id").Single();
            Assert.Contains(runId, blockedBody.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

            var (paused, pausedBody) = await gateway.PostAsync("v1/chat/completions", $$"""{"model":"default","stream":{{stream}},"messages":[{"role":"user","content":"approve-me"}]}""", key);
            ErrorAssert.Coded(paused, pausedBody, 409, "AEG-POL-005", "conflict_error");
            var pausedId = paused.Headers.GetValues("x-aegis-run-id").Single();
            Assert.Contains(pausedId, pausedBody.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
            var (_, poll) = await gateway.GetAsync($"v1/runs/{pausedId}", key);
            Assert.Equal("paused", poll.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Tool_calls_come_back_and_tool_results_go_in()
    {
        await using var gateway = await TestGateway.StartAsync(AegisAuthMode.None);
        const string Tools = """[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]""";

        var (first, firstBody) = await gateway.PostAsync("v1/chat/completions", $$"""{"model":"scripted","tools":{{Tools}},"tool_choice":"auto","messages":[{"role":"user","content":"Weather in Paris?"}]}""");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var choice = firstBody.GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("content").ValueKind);
        var call = Assert.Single(choice.GetProperty("message").GetProperty("tool_calls").EnumerateArray());
        Assert.Equal("function", call.GetProperty("type").GetString());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("Paris", JsonDocument.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString());
        var callId = call.GetProperty("id").GetString();

        var (second, secondBody) = await gateway.PostAsync("v1/chat/completions", $$$"""
            {"model":"scripted","tools":{{{Tools}}},"messages":[
              {"role":"user","content":"Weather in Paris?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"{{{callId}}}","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
              {"role":"tool","tool_call_id":"{{{callId}}}","content":"sunny"}]}
            """);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("stop", secondBody.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal("Weather in Paris?", secondBody.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        var (poisoned, poisonedBody) = await gateway.PostAsync("v1/chat/completions", $$$"""
            {"model":"scripted","tools":{{{Tools}}},"messages":[
              {"role":"user","content":"Weather in Paris?"},
              {"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"c1","content":"poison"}]}
            """);
        Assert.Equal(HttpStatusCode.Forbidden, poisoned.StatusCode);
        Assert.StartsWith("AEG-", poisonedBody.GetProperty("error").GetProperty("code").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streamed_tool_calls_arrive_as_tool_call_deltas()
    {
        await using var gateway = await TestGateway.StartAsync(AegisAuthMode.None);
        using var response = await gateway.Client.PostAsync("v1/chat/completions", new StringContent("""
            {"model":"scripted","stream":true,"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],"messages":[{"role":"user","content":"w?"}]}
            """, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Contains("\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\"", text, StringComparison.Ordinal);
        Assert.Contains("\"finish_reason\":\"tool_calls\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_lists_the_routes()
    {
        await using var gateway = await TestGateway.StartAsync();
        var key = await gateway.CreateKeyAsync("alice");

        var (response, body) = await gateway.GetAsync("v1/models", key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("list", body.GetProperty("object").GetString());
        var ids = body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Contains("default", ids);
        Assert.Contains("scripted", ids);
        Assert.All(body.GetProperty("data").EnumerateArray(), m =>
        {
            Assert.Equal("model", m.GetProperty("object").GetString());
            Assert.Equal("aegis", m.GetProperty("owned_by").GetString());
            Assert.True(m.GetProperty("created").GetInt64() > 0);
        });
    }
}
