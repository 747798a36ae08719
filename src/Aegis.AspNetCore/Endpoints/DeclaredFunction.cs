using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Aegis.Http;

/// <summary>
/// A function tool as an OpenAI client declared it in a request: name, description, parameter schema and the
/// declaration's settings (its <c>strict</c> flag as <see cref="OpenAIConventions.StrictJsonSchema"/>, the key the
/// Microsoft.Extensions.AI OpenAI adapter reads), forwarded to the provider as declared.
/// </summary>
internal sealed class DeclaredFunction(string name, string description, JsonElement jsonSchema, IReadOnlyDictionary<string, object?> additionalProperties)
    : AIFunctionDeclaration
{
    /// <inheritdoc />
    public override string Name { get; } = name;

    /// <inheritdoc />
    public override string Description { get; } = description;

    /// <inheritdoc />
    public override JsonElement JsonSchema { get; } = jsonSchema;

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> AdditionalProperties { get; } = additionalProperties;
}
