using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>
/// A function tool known by its declaration only: name, description, parameter schema and settings (for example
/// <see cref="OpenAIConventions.StrictJsonSchema"/>), as an OpenAI client declares it in a request or a store keeps it
/// with a paused run. The model may call it; the caller runs it. Immutable.
/// </summary>
public sealed class DeclaredFunction : AIFunctionDeclaration
{
    private static readonly IReadOnlyDictionary<string, object?> NoProperties = new Dictionary<string, object?>();
    private static readonly IReadOnlyDictionary<string, object?> Strict = new Dictionary<string, object?> { [OpenAIConventions.StrictJsonSchema] = true };
    private static readonly IReadOnlyDictionary<string, object?> NotStrict = new Dictionary<string, object?> { [OpenAIConventions.StrictJsonSchema] = false };

    /// <summary>Creates a declaration.</summary>
    /// <param name="name">The function's name.</param>
    /// <param name="description">What it does (may be empty).</param>
    /// <param name="jsonSchema">The JSON schema of its parameters.</param>
    /// <param name="additionalProperties">Its settings, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public DeclaredFunction(string name, string? description, JsonElement jsonSchema, IReadOnlyDictionary<string, object?>? additionalProperties = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Description = description ?? string.Empty;
        JsonSchema = jsonSchema;
        AdditionalProperties = additionalProperties ?? NoProperties;
    }

    /// <summary>Creates a declaration whose only setting is its <c>strict</c> flag (<see cref="OpenAIConventions.StrictJsonSchema"/>).</summary>
    /// <param name="name">The function's name.</param>
    /// <param name="description">What it does (may be empty).</param>
    /// <param name="jsonSchema">The JSON schema of its parameters.</param>
    /// <param name="strict">Its <c>strict</c> flag, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public DeclaredFunction(string name, string? description, JsonElement jsonSchema, bool? strict)
        : this(name, description, jsonSchema, strict switch { true => Strict, false => NotStrict, null => null })
    {
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override string Description { get; }

    /// <inheritdoc />
    public override JsonElement JsonSchema { get; }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> AdditionalProperties { get; }
}
