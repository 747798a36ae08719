using System.Collections;

namespace Aegis.Configuration;

/// <summary>One string value met while walking options: where it is and whether it is secret.</summary>
/// <param name="Path">The key path, e.g. <c>providers.openai.api_key</c> or <c>guardrails.x.settings.token</c>.</param>
/// <param name="Key">The key of the property that holds it (for list items, the list's key).</param>
/// <param name="UnderSettings">Whether it is a free-form <c>settings</c> value.</param>
/// <param name="Value">The value.</param>
internal readonly record struct StringSlot(string Path, string Key, bool UnderSettings, string Value)
{
    /// <summary>Whether the value must never be shown.</summary>
    public bool IsSecret => ConfigPath.IsSecret(Key, UnderSettings);
}

/// <summary>Deep-copies options along <see cref="OptionsSchema"/>, passing every string through a map.</summary>
internal static class OptionsWalker
{
    /// <summary>Returns a deep copy of <paramref name="source"/> whose strings are <paramref name="map"/>ped.</summary>
    public static AegisOptions Copy(AegisOptions source, Func<StringSlot, string?> map)
        => (AegisOptions)CopyNode(source, OptionsSchema.Root, string.Empty, string.Empty, underSettings: false, map)!;

    private static object? CopyNode(object? value, SchemaNode node, string path, string key, bool underSettings, Func<StringSlot, string?> map)
    {
        switch (value, node)
        {
            case (null, _):
                return null;

            case (string s, ScalarSchema):
                return map(new StringSlot(path, key, underSettings, s));

            case (_, ScalarSchema):
                return value;

            case (_, ObjectSchema schema):
                var copy = Activator.CreateInstance(schema.Type)!;
                foreach (var property in schema.Properties)
                {
                    var child = CopyNode(property.Property.GetValue(value), property.Node, ConfigPath.Key(path, property.Key), property.Key, underSettings, map);
                    property.Property.SetValue(copy, child);
                }

                return copy;

            case (IDictionary source, MapSchema schema):
                var dictionary = (IDictionary)Activator.CreateInstance(schema.Type, StringComparer.OrdinalIgnoreCase)!;
                foreach (DictionaryEntry entry in source)
                {
                    var name = (string)entry.Key;
                    dictionary[name] = CopyNode(entry.Value, schema.Value, ConfigPath.Key(path, name), name, underSettings, map);
                }

                return dictionary;

            case (IList source, ListSchema schema):
                var list = (IList)Activator.CreateInstance(schema.Type)!;
                for (var i = 0; i < source.Count; i++)
                {
                    list.Add(CopyNode(source[i], schema.Item, ConfigPath.Index(path, i), key, underSettings, map));
                }

                return list;

            case (IDictionary<string, string?> source, FreeFormSchema):
                var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                foreach (var (name, item) in source)
                {
                    settings[name] = item is null ? null : map(new StringSlot(ConfigPath.Key(path, name), name, UnderSettings: true, item));
                }

                return settings;

            default:
                throw new InvalidOperationException($"Cannot copy a {value.GetType()} at '{path}'.");
        }
    }
}
