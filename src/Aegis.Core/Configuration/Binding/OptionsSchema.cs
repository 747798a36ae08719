using System.Collections.Frozen;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Aegis.Configuration;

/// <summary>
/// The shape of the options types, derived once by reflection: which keys exist (property name or
/// <see cref="ConfigurationKeyNameAttribute"/>), which are maps of any name, lists, free-form
/// settings or single values. Used to detect unknown keys, check value types, walk strings for
/// secret references and copy options.
/// </summary>
internal abstract class SchemaNode;

/// <summary>A single value of <see cref="Type"/> (string, bool, int, double, ...).</summary>
internal sealed class ScalarSchema(Type type) : SchemaNode
{
    /// <summary>The value type without <see cref="Nullable{T}"/>.</summary>
    public Type Type { get; } = Nullable.GetUnderlyingType(type) ?? type;

    /// <summary>Whether the value is a plain string (no conversion can fail).</summary>
    public bool IsString => Type == typeof(string);

    /// <summary>A name for the expected type in error messages.</summary>
    public string Describe() => Type switch
    {
        _ when Type == typeof(bool) => "a boolean (true or false)",
        _ when Type == typeof(int) || Type == typeof(long) => "an integer",
        _ when Type == typeof(double) || Type == typeof(decimal) || Type == typeof(float) => "a number",
        _ when Type == typeof(string) => "a string",
        _ => "a " + Type.Name,
    };

    /// <summary>Whether <paramref name="value"/> converts the way the configuration binder converts it.</summary>
    public bool CanConvert(string value)
    {
        if (IsString)
        {
            return true;
        }

        try
        {
            _ = TypeDescriptor.GetConverter(Type).ConvertFromString(null, CultureInfo.InvariantCulture, value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            return false;
        }
    }
}

/// <summary>A class with known keys.</summary>
internal sealed class ObjectSchema : SchemaNode
{
    public ObjectSchema(Type type, IReadOnlyList<SchemaProperty> properties)
    {
        Type = type;
        Properties = properties;
        ByKey = properties.ToFrozenDictionary(p => p.Key, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The options type.</summary>
    public Type Type { get; }

    /// <summary>The properties in declaration order.</summary>
    public IReadOnlyList<SchemaProperty> Properties { get; }

    /// <summary>The properties by configuration key (case-insensitive).</summary>
    public FrozenDictionary<string, SchemaProperty> ByKey { get; }
}

/// <summary>One property of an <see cref="ObjectSchema"/>.</summary>
/// <param name="Key">The configuration key (snake_case where the property says so).</param>
/// <param name="Property">The CLR property.</param>
/// <param name="Node">The shape of its value.</param>
internal sealed record SchemaProperty(string Key, PropertyInfo Property, SchemaNode Node);

/// <summary>A dictionary: any key name, each value of <see cref="Value"/> shape.</summary>
internal sealed class MapSchema(Type type, SchemaNode value) : SchemaNode
{
    /// <summary>The concrete dictionary type.</summary>
    public Type Type { get; } = type;

    /// <summary>The shape of each value.</summary>
    public SchemaNode Value { get; } = value;
}

/// <summary>A list: keys are indices 0, 1, ...; each item of <see cref="Item"/> shape.</summary>
internal sealed class ListSchema(Type type, SchemaNode item) : SchemaNode
{
    /// <summary>The concrete list type.</summary>
    public Type Type { get; } = type;

    /// <summary>The shape of each item.</summary>
    public SchemaNode Item { get; } = item;
}

/// <summary>Free-form settings (a string-to-string dictionary): any nested key is accepted and flattened.</summary>
internal sealed class FreeFormSchema : SchemaNode
{
    public static FreeFormSchema Instance { get; } = new();
}

/// <summary>Builds and caches the schema of <see cref="AegisOptions"/>.</summary>
internal static class OptionsSchema
{
    /// <summary>The schema of <see cref="AegisOptions"/>.</summary>
    public static ObjectSchema Root { get; } = (ObjectSchema)Build(typeof(AegisOptions), depth: 0);

    private static SchemaNode Build(Type type, int depth)
    {
        if (depth > 16)
        {
            throw new InvalidOperationException($"The options type {type} nests too deeply to describe.");
        }

        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string) || underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(decimal)
            || underlying == typeof(TimeSpan) || underlying == typeof(Uri))
        {
            return new ScalarSchema(type);
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            var args = underlying.GetGenericArguments();
            if (args[0] != typeof(string))
            {
                throw new InvalidOperationException($"Options dictionaries must have string keys ({type}).");
            }

            return args[1] == typeof(string) ? FreeFormSchema.Instance : new MapSchema(underlying, Build(args[1], depth + 1));
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>))
        {
            return new ListSchema(underlying, Build(underlying.GetGenericArguments()[0], depth + 1));
        }

        var properties = new List<SchemaProperty>();
        foreach (var property in underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length != 0 || property.GetMethod is null || property.SetMethod is not { IsPublic: true })
            {
                continue;
            }

            var key = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
            properties.Add(new SchemaProperty(key, property, Build(property.PropertyType, depth + 1)));
        }

        return new ObjectSchema(underlying, properties);
    }
}
