using Microsoft.Extensions.Configuration;

namespace Aegis;

/// <summary>One model provider (<c>providers.&lt;name&gt;</c>).</summary>
public sealed class ProviderOptions
{
    /// <summary><c>fake</c>, <c>openai</c> or <c>openai_compatible</c>; or the name of a provider type registered in code.</summary>
    public string? Type { get; set; }

    /// <summary>The API base address (<c>base_url</c>), for <c>openai_compatible</c> (and optionally <c>openai</c>).</summary>
    [ConfigurationKeyName("base_url")]
    public string? BaseUrl { get; set; }

    /// <summary>The API key (<c>api_key</c>); use <c>secret://env/NAME</c>, never a literal in a file.</summary>
    [ConfigurationKeyName("api_key")]
    public string? ApiKey { get; set; }

    /// <summary>The upstream model id.</summary>
    public string? Model { get; set; }

    /// <summary>Fake provider: answer with the last user message exactly as the model received it.</summary>
    public bool? Echo { get; set; }

    /// <summary>Fake provider: answer with this fixed text.</summary>
    public string? Reply { get; set; }

    /// <summary>Where the provider processes data (<c>residency.region</c>).</summary>
    public ResidencyOptions? Residency { get; set; }

    /// <summary>Upstream timeout in seconds (default 100).</summary>
    [ConfigurationKeyName("timeout_seconds")]
    public double? TimeoutSeconds { get; set; }
}

/// <summary>Data-residency declaration of a provider.</summary>
public sealed class ResidencyOptions
{
    /// <summary>The region, for example <c>eu</c> or <c>us</c>.</summary>
    public string? Region { get; set; }
}
