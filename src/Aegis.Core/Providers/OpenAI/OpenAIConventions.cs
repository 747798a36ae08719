namespace Aegis;

/// <summary>
/// How OpenAI settings and answers that Microsoft.Extensions.AI has no type for travel through it: the
/// <c>AdditionalProperties</c> keys the <c>openai</c> and <c>openai_compatible</c> providers read and the content that
/// carries a refusal, named as the Microsoft.Extensions.AI OpenAI adapter names them, so that options and answers
/// written for that adapter mean the same here.
/// </summary>
public static class OpenAIConventions
{
    /// <summary>
    /// <c>strictJsonSchema</c> (a <see cref="bool"/>): on a function tool's <c>AdditionalProperties</c>, its
    /// <c>function.strict</c>; on <c>ChatOptions.AdditionalProperties</c>, the <c>json_schema.strict</c> of a JSON-schema
    /// response format.
    /// </summary>
    public const string StrictJsonSchema = "strictJsonSchema";

    /// <summary>The <see cref="StrictJsonSchema"/> setting in <paramref name="properties"/>, when it is a <see cref="bool"/>.</summary>
    /// <param name="properties">A tool's or the options' <c>AdditionalProperties</c>, or <see langword="null"/>.</param>
    public static bool? GetStrict(IReadOnlyDictionary<string, object?>? properties) =>
        properties is not null && properties.TryGetValue(StrictJsonSchema, out var value) && value is bool strict ? strict : null;

    /// <summary><c>user</c> (a <see cref="string"/>) on <c>ChatOptions.AdditionalProperties</c>: the end user's id, sent as <c>user</c>.</summary>
    public const string User = "user";

    /// <summary>
    /// <c>Refusal</c>: the <see cref="Microsoft.Extensions.AI.ErrorContent.ErrorCode"/> of the content that carries a model's
    /// refusal (OpenAI's <c>refusal</c>); its <see cref="Microsoft.Extensions.AI.ErrorContent.Message"/> is the refusal's text.
    /// </summary>
    public const string RefusalErrorCode = "Refusal";
}
