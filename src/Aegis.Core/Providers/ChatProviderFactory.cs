using System.Collections.Concurrent;
using System.Globalization;
using Aegis.Providers;
using Aegis.Providers.OpenAI;
using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>
/// Turns a named provider configuration (<c>providers.&lt;name&gt;</c>) into an <see cref="IChatClient"/>, by its
/// <c>type</c>. Built in: <c>fake</c>, <c>openai</c> and <c>openai_compatible</c>; further types
/// (<c>anthropic</c>, <c>ollama</c>, ...) plug in through <see cref="Register"/>.
/// </summary>
/// <remarks>
/// <para>A factory rather than a registry of ready clients: the configuration names the type, the factory builds
/// one client per configured provider at start-up, and everything that is wrong with the configuration fails
/// there with an <c>AEG-CFG</c> code naming the key.</para>
/// <para><c>openai</c> and <c>openai_compatible</c> build a client that speaks the chat-completions wire protocol
/// directly (no vendor SDK in the request path). They share one pooled <see cref="HttpClient"/> (unless one is passed
/// in), apply <c>timeout_seconds</c> (default 100 s) per request, and do not retry: when an upstream fails, the gateway
/// decides whether to fall back to another provider, so retries would only delay that decision.</para>
/// <para>Register types at start-up; <see cref="Create"/> may then be called from any thread.</para>
/// </remarks>
public sealed class ChatProviderFactory
{
    /// <summary>The upstream timeout when <c>timeout_seconds</c> is not set.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(100);

    /// <summary>The API key sent to an <c>openai_compatible</c> server when none is configured.</summary>
    public const string PlaceholderApiKey = "unused";

    private readonly ConcurrentDictionary<string, Func<string, ProviderOptions, IChatClient>> _factories = new(StringComparer.OrdinalIgnoreCase);
    private readonly HttpClient? _httpClient;

    /// <summary>Creates a factory with the built-in types, using the process-wide pooled HTTP client.</summary>
    public ChatProviderFactory()
        : this(httpClient: null)
    {
    }

    /// <summary>Creates a factory with the built-in types.</summary>
    /// <param name="httpClient">
    /// The client the HTTP providers send through (not disposed by the factory), or <see langword="null"/> for the
    /// process-wide pooled client. Its own <see cref="HttpClient.Timeout"/> should be infinite: the per-provider
    /// <c>timeout_seconds</c> is applied by the client on each call.
    /// </param>
    public ChatProviderFactory(HttpClient? httpClient)
    {
        _httpClient = httpClient;
        _factories[ProviderTypes.Fake] = static (_, options) => CreateFake(options);
        _factories[ProviderTypes.OpenAI] = (name, options) => CreateOpenAI(name, options, compatible: false);
        _factories[ProviderTypes.OpenAICompatible] = (name, options) => CreateOpenAI(name, options, compatible: true);
    }

    /// <summary>The provider types this factory can build, in ordinal order.</summary>
    public IReadOnlyList<string> KnownTypes
    {
        get
        {
            var types = _factories.Keys.ToArray();
            Array.Sort(types, StringComparer.Ordinal);
            return types;
        }
    }

    /// <summary>Whether <paramref name="type"/> names a built-in or registered provider type (case-insensitive).</summary>
    public bool IsKnownType(string type) => !string.IsNullOrEmpty(type) && _factories.ContainsKey(type);

    /// <summary>Registers a further provider type, for example <c>anthropic</c> or <c>ollama</c>.</summary>
    /// <param name="type">The <c>type</c> value in configuration (case-insensitive).</param>
    /// <param name="factory">
    /// Builds the client from the provider's name and its options (secrets already resolved). It should throw an
    /// <see cref="AegisException"/> naming <c>providers.&lt;name&gt;.&lt;key&gt;</c> for invalid options.
    /// </param>
    /// <returns>This factory, for chaining.</returns>
    /// <exception cref="AegisException"><c>AEG-CFG-021</c> when the type is already known.</exception>
    public ChatProviderFactory Register(string type, Func<string, ProviderOptions, IChatClient> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_factories.TryAdd(type, factory))
        {
            throw new AegisException(AegisErrors.ConfigDuplicate, $"provider type '{type}' is already registered");
        }

        return this;
    }

    /// <summary>Builds the client of the provider <paramref name="name"/>.</summary>
    /// <param name="name">The provider's name (the key under <c>providers:</c>).</param>
    /// <param name="options">Its options, secrets already resolved.</param>
    /// <returns>A client ready for calls; the caller owns and disposes it.</returns>
    /// <exception cref="AegisException">
    /// <c>AEG-CFG-003</c> for a missing <c>type</c>, <c>model</c>, <c>base_url</c> or <c>api_key</c>;
    /// <c>AEG-CFG-004</c> for an invalid <c>base_url</c> or <c>timeout_seconds</c>; <c>AEG-CFG-022</c> for an
    /// unknown type; <c>AEG-CFG-020</c> when a registered factory fails.
    /// </exception>
    public IChatClient Create(string name, ProviderOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Type))
        {
            throw new AegisException(AegisErrors.ConfigMissingField, $"providers.{name}.type");
        }

        if (!_factories.TryGetValue(options.Type, out var factory))
        {
            throw new AegisException(
                AegisErrors.ConfigPluginNotFound,
                $"providers.{name}.type: '{options.Type}' is not a known provider type (known: {string.Join(", ", KnownTypes)})");
        }

        IChatClient? client;
        try
        {
            client = factory(name, options);
        }
        catch (Exception ex) when (ex is not AegisException)
        {
            throw new AegisException(
                AegisErrors.ConfigPluginLoad,
                $"providers.{name}: the '{options.Type}' provider factory failed ({ex.GetType().Name})",
                ex);
        }

        return client ?? throw new AegisException(
            AegisErrors.ConfigPluginLoad,
            $"providers.{name}: the '{options.Type}' provider factory returned no client");
    }

    private static FakeChatClient CreateFake(ProviderOptions options) => new(new FakeChatClientOptions
    {
        Echo = options.Echo ?? false,
        Reply = options.Reply,
        ModelId = string.IsNullOrWhiteSpace(options.Model) ? "fake" : options.Model,
    });

    private OpenAIChatCompletionsClient CreateOpenAI(string name, ProviderOptions options, bool compatible)
    {
        if (string.IsNullOrWhiteSpace(options.Model))
        {
            throw new AegisException(AegisErrors.ConfigMissingField, $"providers.{name}.model");
        }

        Uri? endpoint = null;
        if (!string.IsNullOrWhiteSpace(options.BaseUrl))
        {
            // The value is not echoed: a base URL may carry credentials in its user-info part.
            if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out endpoint)
                || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            {
                throw new AegisException(AegisErrors.ConfigInvalidValue, $"providers.{name}.base_url: not an absolute http:// or https:// URL");
            }
        }
        else if (compatible)
        {
            throw new AegisException(AegisErrors.ConfigMissingField, $"providers.{name}.base_url");
        }

        var apiKey = options.ApiKey;
        if (string.IsNullOrEmpty(apiKey))
        {
            apiKey = compatible
                ? PlaceholderApiKey
                : throw new AegisException(AegisErrors.ConfigMissingField, $"providers.{name}.api_key");
        }
        else if (apiKey.AsSpan().ContainsAnyInRange('\0', '\u001f') || apiKey.Contains('\u007f', StringComparison.Ordinal))
        {
            // Not echoed: it is a secret. A control character (a pasted newline) cannot travel in a header.
            throw new AegisException(AegisErrors.ConfigInvalidValue, $"providers.{name}.api_key: contains a control character");
        }

        var timeout = DefaultTimeout;
        if (options.TimeoutSeconds is { } seconds)
        {
            if (!double.IsFinite(seconds) || seconds <= 0 || seconds > int.MaxValue / 1000.0)
            {
                throw new AegisException(
                    AegisErrors.ConfigInvalidValue,
                    $"providers.{name}.timeout_seconds: {seconds.ToString(CultureInfo.InvariantCulture)} is not a positive number of seconds");
            }

            timeout = TimeSpan.FromSeconds(seconds);
        }

        return new OpenAIChatCompletionsClient(_httpClient ?? ProviderHttp.Shared, new OpenAIChatCompletionsOptions
        {
            Endpoint = endpoint ?? OpenAIChatCompletionsOptions.DefaultEndpoint,
            Model = options.Model,
            ApiKey = apiKey,
            Timeout = timeout,
            // OpenAI reads max_completion_tokens (and rejects max_tokens for its reasoning models); compatible servers
            // read max_tokens, and several ignore max_completion_tokens.
            MaxTokensField = compatible ? OpenAIMaxTokensField.MaxTokens : OpenAIMaxTokensField.MaxCompletionTokens,
        });
    }
}
