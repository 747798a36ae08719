using Aegis.Providers.OpenAI;
using Microsoft.Extensions.AI;

namespace Aegis.Core.Tests.Providers;

public sealed class ChatProviderFactoryTests
{
    [Fact]
    public void Knows_the_built_in_types_case_insensitively()
    {
        var factory = new ChatProviderFactory();

        Assert.Equal(["fake", "openai", "openai_compatible"], factory.KnownTypes);
        Assert.True(factory.IsKnownType("OpenAI_Compatible"));
        Assert.False(factory.IsKnownType("anthropic"));
        Assert.False(factory.IsKnownType(""));
    }

    [Fact]
    public async Task Fake_type_builds_an_echoing_fake_by_default()
    {
        using var client = new ChatProviderFactory().Create("dev", new ProviderOptions { Type = "fake" });

        Assert.IsType<FakeChatClient>(client);
        Assert.Equal("repeat <EMAIL_1>", (await client.GetResponseAsync("repeat <EMAIL_1>")).Text);
        Assert.Equal("fake", client.GetService<ChatClientMetadata>()!.ProviderName);
    }

    [Fact]
    public async Task Fake_type_takes_reply_and_model_from_options()
    {
        using var client = new ChatProviderFactory().Create("dev", new ProviderOptions { Type = "FAKE", Reply = "canned", Model = "fake-2" });

        var response = await client.GetResponseAsync("anything");

        Assert.Equal("canned", response.Text);
        Assert.Equal("fake-2", response.ModelId);
    }

    [Fact]
    public void Openai_builds_a_wire_client_for_the_openai_api()
    {
        using var client = new ChatProviderFactory().Create("main", new ProviderOptions { Type = "openai", ApiKey = "sk-x", Model = "gpt-4o-mini" });

        var metadata = client.GetService<ChatClientMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("openai", metadata.ProviderName);
        Assert.Equal("gpt-4o-mini", metadata.DefaultModelId);
        Assert.Equal(new Uri("https://api.openai.com/v1"), metadata.ProviderUri);
        var wire = client.GetService<OpenAIChatCompletionsClient>();
        Assert.NotNull(wire);
        Assert.Equal(new Uri("https://api.openai.com/v1/chat/completions"), wire.RequestUri);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/v1", "http://127.0.0.1:1/v1/chat/completions")]
    [InlineData("http://127.0.0.1:1/v1/", "http://127.0.0.1:1/v1/chat/completions")]
    [InlineData("http://127.0.0.1:1", "http://127.0.0.1:1/chat/completions")]
    [InlineData("https://llm.example/openai/v1?api-version=2", "https://llm.example/openai/v1/chat/completions?api-version=2")]
    public void Base_url_is_the_api_root_as_with_the_sdk(string baseUrl, string expected)
    {
        using var client = new ChatProviderFactory().Create("local", new ProviderOptions { Type = "openai_compatible", Model = "m", BaseUrl = baseUrl });

        Assert.Equal(new Uri(expected), client.GetService<OpenAIChatCompletionsClient>()!.RequestUri);
        Assert.Equal(new Uri(baseUrl), client.GetService<ChatClientMetadata>()!.ProviderUri);
    }

    [Fact]
    public void Metadata_does_not_carry_credentials_of_the_base_url()
    {
        using var client = new ChatProviderFactory().Create("local", new ProviderOptions { Type = "openai_compatible", Model = "m", BaseUrl = "http://user:hunter2@127.0.0.1:1/v1" });

        Assert.DoesNotContain("hunter2", client.GetService<ChatClientMetadata>()!.ProviderUri!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_api_key_with_a_control_character_is_rejected_without_echoing_it()
    {
        var error = Assert.Throws<AegisException>(() => new ChatProviderFactory().Create("main", new ProviderOptions { Type = "openai", Model = "m", ApiKey = "sk-secret-123\n" }));

        Assert.Equal(AegisErrors.ConfigInvalidValue, error.Error);
        Assert.StartsWith("providers.main.api_key", error.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("openai_compatible")]
    public void Missing_model_names_the_key(string type)
    {
        var error = Assert.Throws<AegisException>(() => new ChatProviderFactory().Create("primary", new ProviderOptions
        {
            Type = type,
            ApiKey = "sk-x",
            BaseUrl = "http://127.0.0.1:1/v1",
        }));

        Assert.Equal(AegisErrors.ConfigMissingField, error.Error);
        Assert.Equal("providers.primary.model", error.Detail);
    }

    [Fact]
    public void Unknown_type_is_plugin_not_found_naming_the_key()
    {
        var error = Assert.Throws<AegisException>(() => new ChatProviderFactory().Create("claude", new ProviderOptions { Type = "anthropic", Model = "m" }));

        Assert.Equal(AegisErrors.ConfigPluginNotFound, error.Error);
        Assert.StartsWith("providers.claude.type", error.Detail, StringComparison.Ordinal);
        Assert.Contains("anthropic", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_type_names_the_key()
    {
        var error = Assert.Throws<AegisException>(() => new ChatProviderFactory().Create("p", new ProviderOptions()));

        Assert.Equal(AegisErrors.ConfigMissingField, error.Error);
        Assert.Equal("providers.p.type", error.Detail);
    }

    [Fact]
    public void Openai_compatible_needs_a_base_url()
    {
        var error = Assert.Throws<AegisException>(() => new ChatProviderFactory().Create("local", new ProviderOptions { Type = "openai_compatible", Model = "m" }));

        Assert.Equal(AegisErrors.ConfigMissingField, error.Error);
        Assert.Equal("providers.local.base_url", error.Detail);
    }

    [Fact]
    public void Openai_needs_an_api_key()
    {
        var error = Assert.Throws<AegisException>(() => new ChatProviderFactory().Create("main", new ProviderOptions { Type = "openai", Model = "m" }));

        Assert.Equal(AegisErrors.ConfigMissingField, error.Error);
        Assert.Equal("providers.main.api_key", error.Detail);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://user:hunter2@example.com/v1")]
    [InlineData("/relative/v1")]
    public void Invalid_base_url_is_rejected_without_echoing_it(string baseUrl)
    {
        var error = Assert.Throws<AegisException>(() => new ChatProviderFactory().Create("local", new ProviderOptions { Type = "openai_compatible", Model = "m", BaseUrl = baseUrl }));

        Assert.Equal(AegisErrors.ConfigInvalidValue, error.Error);
        Assert.StartsWith("providers.local.base_url", error.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(baseUrl, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Invalid_timeout_is_rejected(double seconds)
    {
        var error = Assert.Throws<AegisException>(() => new ChatProviderFactory().Create("local", new ProviderOptions
        {
            Type = "openai_compatible",
            Model = "m",
            BaseUrl = "http://127.0.0.1:1/v1",
            TimeoutSeconds = seconds,
        }));

        Assert.Equal(AegisErrors.ConfigInvalidValue, error.Error);
        Assert.StartsWith("providers.local.timeout_seconds", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registered_types_plug_in_like_built_ins()
    {
        var factory = new ChatProviderFactory();
        string? seenName = null;
        factory.Register("anthropic", (name, options) =>
        {
            seenName = name;
            return new FakeChatClient(new FakeChatClientOptions { Reply = "from " + options.Model });
        });

        using var client = factory.Create("claude", new ProviderOptions { Type = "Anthropic", Model = "claude-x" });

        Assert.True(factory.IsKnownType("anthropic"));
        Assert.Contains("anthropic", factory.KnownTypes);
        Assert.Equal("claude", seenName);
        Assert.Equal("from claude-x", (await client.GetResponseAsync("hi")).Text);
    }

    [Fact]
    public void Registering_a_known_type_twice_is_a_duplicate()
    {
        var factory = new ChatProviderFactory().Register("ollama", (_, _) => new FakeChatClient());

        Assert.Equal(AegisErrors.ConfigDuplicate, Assert.Throws<AegisException>(() => factory.Register("OLLAMA", (_, _) => new FakeChatClient())).Error);
        Assert.Equal(AegisErrors.ConfigDuplicate, Assert.Throws<AegisException>(() => factory.Register("openai", (_, _) => new FakeChatClient())).Error);
    }

    [Fact]
    public void A_failing_registered_factory_is_a_plugin_load_error()
    {
        var factory = new ChatProviderFactory()
            .Register("broken", (_, _) => throw new InvalidOperationException("boom"))
            .Register("coded", (name, _) => throw new AegisException(AegisErrors.ConfigMissingField, $"providers.{name}.region"))
            .Register("null", (_, _) => null!);

        var broken = Assert.Throws<AegisException>(() => factory.Create("b", new ProviderOptions { Type = "broken" }));
        Assert.Equal(AegisErrors.ConfigPluginLoad, broken.Error);
        Assert.StartsWith("providers.b", broken.Detail, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(broken.InnerException);

        var coded = Assert.Throws<AegisException>(() => factory.Create("c", new ProviderOptions { Type = "coded" }));
        Assert.Equal("providers.c.region", coded.Detail);

        Assert.Equal(AegisErrors.ConfigPluginLoad, Assert.Throws<AegisException>(() => factory.Create("n", new ProviderOptions { Type = "null" })).Error);
    }
}
