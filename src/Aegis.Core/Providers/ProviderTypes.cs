namespace Aegis;

/// <summary>The provider <c>type</c> values built into <see cref="ChatProviderFactory"/>.</summary>
public static class ProviderTypes
{
    /// <summary><c>fake</c>: the deterministic <see cref="FakeChatClient"/>, no network.</summary>
    public const string Fake = "fake";

    /// <summary><c>openai</c>: the OpenAI API (chat completions, <c>https://api.openai.com/v1</c> unless <c>base_url</c> is set).</summary>
    public const string OpenAI = "openai";

    /// <summary><c>openai_compatible</c>: any server that speaks the OpenAI chat completions protocol at <c>base_url</c>.</summary>
    public const string OpenAICompatible = "openai_compatible";
}
