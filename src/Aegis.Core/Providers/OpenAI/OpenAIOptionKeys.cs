namespace Aegis;

/// <summary>
/// The <c>AdditionalProperties</c> keys the <c>openai</c> and <c>openai_compatible</c> providers read, named as the
/// Microsoft.Extensions.AI OpenAI adapter names them, so options written for that adapter mean the same here.
/// </summary>
public static class OpenAIOptionKeys
{
    /// <summary>
    /// <c>strictJsonSchema</c> (a <see cref="bool"/>): on a function tool's <c>AdditionalProperties</c>, its
    /// <c>function.strict</c>; on <c>ChatOptions.AdditionalProperties</c>, the <c>json_schema.strict</c> of a JSON-schema
    /// response format.
    /// </summary>
    public const string StrictJsonSchema = "strictJsonSchema";

    /// <summary><c>user</c> (a <see cref="string"/>) on <c>ChatOptions.AdditionalProperties</c>: the end user's id, sent as <c>user</c>.</summary>
    public const string User = "user";
}
