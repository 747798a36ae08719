using System.Text.Json.Serialization;

namespace Aegis.Storage.Sqlite.Serialization;

/// <summary>Source-generated JSON metadata for the store's own column types.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(MaskMapEntry[]))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class SqliteJsonContext : JsonSerializerContext;
