using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Aegis.Configuration;

/// <summary>
/// Turns one YAML document into configuration keys under <c>Aegis</c>: mappings nest with <c>:</c>,
/// sequence items are <c>:0</c>, <c>:1</c>, ...; scalars keep their text; <c>~</c>, <c>null</c> and
/// empty plain scalars, and empty mappings or sequences, are <see langword="null"/>. A document whose
/// only top-level key is <c>Aegis</c> (any case) is read from inside it, so it is not prefixed twice.
/// </summary>
internal static class YamlFlattener
{
    /// <summary>Parses <paramref name="text"/> into configuration data.</summary>
    /// <param name="text">The YAML text.</param>
    /// <param name="source">The file path (or a name for inline text), for error details.</param>
    /// <returns>Keys (case-insensitive) to values.</returns>
    /// <exception cref="AegisException"><c>AEG-CFG-001</c> with <c>source:line:column: what</c>.</exception>
    public static Dictionary<string, string?> Flatten(string text, string source)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(text);
        var parser = new TrackingParser(new Parser(reader));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            throw Invalid(source, ex.Start, ex.Message, ex);
        }
        catch (InvalidOperationException ex)
        {
            // The scanner gives up on some malformed input without a YamlException; report where
            // parsing stopped.
            throw Invalid(source, parser.LastGood, "malformed YAML after this point", ex);
        }

        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (stream.Documents.Count == 0)
        {
            return data;
        }

        if (stream.Documents.Count > 1)
        {
            throw Invalid(source, stream.Documents[1].RootNode.Start, "more than one YAML document; put the whole configuration in one", null);
        }

        var root = stream.Documents[0].RootNode;
        if (IsNull(root))
        {
            return data;
        }

        if (root is not YamlMappingNode mapping)
        {
            throw Invalid(source, root.Start, "the top level must be a mapping of keys (providers:, guardrails:, ...)", null);
        }

        if (mapping.Children.Count == 1
            && mapping.Children.First() is var (key, value)
            && key is YamlScalarNode { Value: { } name }
            && name.Equals(AegisOptions.SectionName, StringComparison.OrdinalIgnoreCase))
        {
            if (IsNull(value))
            {
                return data;
            }

            if (value is not YamlMappingNode inner)
            {
                throw Invalid(source, value.Start, "the Aegis key must hold a mapping of keys (providers:, guardrails:, ...)", null);
            }

            mapping = inner;
        }

        Visit(mapping, AegisOptions.SectionName, data, source);
        return data;
    }

    private static void Visit(YamlNode node, string path, Dictionary<string, string?> data, string source)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                data[path] = IsNull(scalar) ? null : scalar.Value;
                break;

            case YamlMappingNode mapping:
                if (mapping.Children.Count == 0)
                {
                    data[path] = null;
                    break;
                }

                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { Length: > 0 } name } || IsNull(key))
                    {
                        throw Invalid(source, key.Start, "a key must be a non-empty plain value", null);
                    }

                    if (name.Contains(':', StringComparison.Ordinal))
                    {
                        // IConfiguration uses ':' as its separator: "llama3.1:70b" would silently become two levels.
                        throw Invalid(source, key.Start, $"key '{name}' contains ':', which configuration keys cannot hold; use another name (a route's upstream model goes in model:)", null);
                    }

                    if (!seen.Add(name))
                    {
                        throw Invalid(source, key.Start, $"duplicate key '{name}' (keys are case-insensitive)", null);
                    }

                    Visit(value, path + ConfigurationSeparator + name, data, source);
                }

                break;

            case YamlSequenceNode sequence:
                if (sequence.Children.Count == 0)
                {
                    data[path] = null;
                    break;
                }

                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Visit(sequence.Children[i], path + ConfigurationSeparator + i.ToString(CultureInfo.InvariantCulture), data, source);
                }

                break;

            default:
                throw Invalid(source, node.Start, $"unsupported YAML node ({node.NodeType})", null);
        }
    }

    private const string ConfigurationSeparator = ":";

    private static bool IsNull(YamlNode node) => node is YamlScalarNode { Style: ScalarStyle.Plain, Value: var value }
        && (string.IsNullOrEmpty(value) || value is "~" or "null" or "Null" or "NULL");

    /// <summary>Remembers where the last event that parsed ended, for errors the parser does not locate.</summary>
    private sealed class TrackingParser(IParser inner) : IParser
    {
        public Mark LastGood { get; private set; } = Mark.Empty;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (inner.Current is { } current)
            {
                LastGood = current.End;
            }

            return inner.MoveNext();
        }
    }

    private static AegisException Invalid(string source, Mark mark, string what, Exception? inner)
        => new(AegisErrors.ConfigInvalidFile, string.Create(CultureInfo.InvariantCulture, $"{source}:{mark.Line}:{mark.Column}: {what}"), inner);
}
