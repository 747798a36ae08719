using System.Text.Json.Serialization;

namespace Aegis.Http;

/// <summary>Source-generated JSON for every wire type of the HTTP surface (snake_case names).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.Strict,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(RunRequestBody))]
[JsonSerializable(typeof(ResumeRequestBody))]
[JsonSerializable(typeof(ChatCompletionRequestBody))]
[JsonSerializable(typeof(RunResponseBody))]
[JsonSerializable(typeof(RunStatusBody))]
[JsonSerializable(typeof(AuditResponseBody))]
[JsonSerializable(typeof(ChatCompletionBody))]
[JsonSerializable(typeof(ModelListBody))]
[JsonSerializable(typeof(HealthBody))]
[JsonSerializable(typeof(ErrorEnvelope))]
internal sealed partial class AegisHttpJsonContext : JsonSerializerContext;
