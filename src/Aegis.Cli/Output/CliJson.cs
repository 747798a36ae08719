using System.Text.Json.Serialization;

namespace Aegis.Cli.Output;

/// <summary>A key as <c>aegis keys list --json</c> shows it: never the key, never its hash.</summary>
internal sealed record KeyJson(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("principal_id")] string PrincipalId,
    [property: JsonPropertyName("team")] string? Team,
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("last_used_at")] DateTimeOffset? LastUsedAt,
    [property: JsonPropertyName("revoked_at")] DateTimeOffset? RevokedAt)
{
    /// <summary>The listing view of a stored key.</summary>
    public static KeyJson From(ApiKeyRecord record) => new(record.Id, record.Name, record.PrincipalId, record.Team, record.Labels, record.CreatedAt, record.LastUsedAt, record.RevokedAt);
}

/// <summary>What <c>aegis keys create --json</c> prints: the key itself, this once.</summary>
internal sealed record CreatedKeyJson(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("principal_id")] string PrincipalId,
    [property: JsonPropertyName("team")] string? Team,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("key")] string Key);

/// <summary>What <c>aegis keys revoke --json</c> prints.</summary>
internal sealed record RevokedKeyJson(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("revoked_at")] DateTimeOffset? RevokedAt,
    [property: JsonPropertyName("already_revoked")] bool AlreadyRevoked);

/// <summary>What <c>aegis audit verify --json</c> prints.</summary>
internal sealed record AuditVerifyJson(
    [property: JsonPropertyName("valid")] bool Valid,
    [property: JsonPropertyName("event_count")] long EventCount,
    [property: JsonPropertyName("first_broken_sequence")] long? FirstBrokenSequence,
    [property: JsonPropertyName("problem")] string? Problem);

/// <summary>One problem found by <c>aegis config validate</c>.</summary>
internal sealed record ConfigProblemJson(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("what")] string What,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("fix")] string Fix);

/// <summary>What <c>aegis config validate --json</c> prints.</summary>
internal sealed record ConfigValidateJson(
    [property: JsonPropertyName("valid")] bool Valid,
    [property: JsonPropertyName("files")] IReadOnlyList<string> Files,
    [property: JsonPropertyName("problems")] IReadOnlyList<ConfigProblemJson> Problems);

/// <summary>Source-generated JSON for the tool's output.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(List<KeyJson>))]
[JsonSerializable(typeof(CreatedKeyJson))]
[JsonSerializable(typeof(RevokedKeyJson))]
[JsonSerializable(typeof(AuditVerifyJson))]
[JsonSerializable(typeof(ConfigValidateJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
