using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Aegis.Configuration;

/// <summary>
/// Finishes what the configuration binder leaves out: a list key that is present but empty
/// (<c>ingress: []</c>) becomes an empty list (the binder leaves it unset, which would mean
/// "inherit"); a name under a map with no keys (<c>providers: { openai: ~ }</c>) becomes an entry
/// with defaults, so validation can name its missing keys; <c>settings</c> are flattened into
/// <c>a:b</c> keys.
/// </summary>
internal static class ConfigurationCompleter
{
    /// <summary>Completes <paramref name="instance"/> bound from <paramref name="section"/>.</summary>
    public static void Complete(IConfiguration section, object instance, ObjectSchema schema)
    {
        foreach (var child in section.GetChildren())
        {
            if (!schema.ByKey.TryGetValue(child.Key, out var property))
            {
                continue;
            }

            switch (property.Node)
            {
                case ListSchema list when property.Property.GetValue(instance) is null && !child.GetChildren().Any():
                    property.Property.SetValue(instance, Activator.CreateInstance(list.Type));
                    break;

                case FreeFormSchema:
                    property.Property.SetValue(instance, Flatten(child));
                    break;

                case ObjectSchema nested when property.Property.GetValue(instance) is { } value:
                    Complete(child, value, nested);
                    break;

                case MapSchema { Value: ObjectSchema entrySchema } when property.Property.GetValue(instance) is IDictionary map:
                    foreach (var entry in child.GetChildren())
                    {
                        if (map[entry.Key] is not { } value)
                        {
                            value = Activator.CreateInstance(entrySchema.Type)!;
                            map[entry.Key] = value;
                        }

                        Complete(entry, value, entrySchema);
                    }

                    break;

                default:
                    break;
            }
        }
    }

    private static Dictionary<string, string?> Flatten(IConfigurationSection section)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (key.Length != 0 && value is not null)
            {
                settings[key] = value;
            }
        }

        return settings;
    }
}
