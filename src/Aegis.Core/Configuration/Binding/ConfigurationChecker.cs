using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Aegis.Configuration;

/// <summary>
/// Walks every key of the Aegis section against <see cref="OptionsSchema"/> before binding: an
/// unknown key is <c>AEG-CFG-002</c>, a value the binder cannot convert (or a single value where a
/// mapping or list belongs, and the reverse) is <c>AEG-CFG-004</c>. Secret values are never shown.
/// </summary>
internal static class ConfigurationChecker
{
    private const int MaxShownValueLength = 64;

    /// <summary>Checks <paramref name="section"/> (the Aegis section) and throws the first problem.</summary>
    public static void Check(IConfiguration section) => CheckObject(section, OptionsSchema.Root, string.Empty);

    private static void CheckObject(IConfiguration section, ObjectSchema schema, string path)
    {
        foreach (var child in section.GetChildren())
        {
            if (!schema.ByKey.TryGetValue(child.Key, out var property))
            {
                throw new AegisException(AegisErrors.ConfigUnknownField, ConfigPath.Key(path, child.Key));
            }

            CheckNode(child, property.Node, ConfigPath.Key(path, property.Key), property.Key);
        }
    }

    private static void CheckNode(IConfigurationSection section, SchemaNode node, string path, string key)
    {
        switch (node)
        {
            case ScalarSchema scalar:
                CheckScalar(section, scalar, path, key);
                break;

            case ObjectSchema schema:
                ExpectContainer(section, path, "a mapping");
                CheckObject(section, schema, path);
                break;

            case MapSchema map:
                ExpectContainer(section, path, "a mapping of names");
                foreach (var child in section.GetChildren())
                {
                    CheckNode(child, map.Value, ConfigPath.Key(path, child.Key), child.Key);
                }

                break;

            case ListSchema list:
                ExpectContainer(section, path, "a list");
                foreach (var child in section.GetChildren())
                {
                    if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                    {
                        throw new AegisException(AegisErrors.ConfigInvalidValue, $"{ConfigPath.Display(path)}: expected a list, found the key '{child.Key}'");
                    }

                    CheckNode(child, list.Item, ConfigPath.Index(path, index), key);
                }

                break;

            case FreeFormSchema:
                ExpectContainer(section, path, "a mapping of settings");
                break;

            default:
                throw new InvalidOperationException($"Unexpected schema node {node.GetType()}.");
        }
    }

    private static void CheckScalar(IConfigurationSection section, ScalarSchema scalar, string path, string key)
    {
        if (section.GetChildren().Any())
        {
            throw new AegisException(AegisErrors.ConfigInvalidValue, $"{path}: expected {scalar.Describe()}, found a mapping or list");
        }

        var value = section.Value;
        if (string.IsNullOrEmpty(value) || scalar.CanConvert(value))
        {
            return;
        }

        if (ConfigPath.IsSecret(key, underSettings: false))
        {
            throw new AegisException(AegisErrors.ConfigInvalidValue, $"{path}: the value is not {scalar.Describe()}");
        }

        var shown = value.Length > MaxShownValueLength ? string.Concat(value.AsSpan(0, MaxShownValueLength), "...") : value;
        throw new AegisException(AegisErrors.ConfigInvalidValue, $"{path}: '{shown}' is not {scalar.Describe()}");
    }

    private static void ExpectContainer(IConfigurationSection section, string path, string what)
    {
        if (!string.IsNullOrEmpty(section.Value))
        {
            throw new AegisException(AegisErrors.ConfigInvalidValue, $"{ConfigPath.Display(path)}: expected {what}, found a single value");
        }
    }
}
