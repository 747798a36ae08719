using System.Linq.Expressions;
using System.Reflection;

namespace Aegis.Storage.Sqlite.Vectors;

/// <summary>
/// A filter translated from a VectorData filter expression: equality conditions on
/// <see cref="AegisVectorRecord.Key"/>, <see cref="AegisVectorRecord.Text"/> and
/// <c>Metadata["name"]</c>, joined with <c>&amp;&amp;</c>. Anything else is refused with a
/// <see cref="NotSupportedException"/> naming what is supported.
/// </summary>
internal sealed class VectorFilter
{
    private const string Supported = "filter: only equality on Key, Text or Metadata[\"name\"] (joined with &&) is supported";
    private static readonly PropertyInfo KeyProperty = typeof(AegisVectorRecord).GetProperty(nameof(AegisVectorRecord.Key))!;
    private static readonly PropertyInfo TextProperty = typeof(AegisVectorRecord).GetProperty(nameof(AegisVectorRecord.Text))!;
    private static readonly PropertyInfo MetadataProperty = typeof(AegisVectorRecord).GetProperty(nameof(AegisVectorRecord.Metadata))!;

    private readonly List<(Field Field, string? Name, string? Value)> _conditions = [];

    private enum Field
    {
        Key,
        Text,
        Metadata,
    }

    public static VectorFilter? From(Expression<Func<AegisVectorRecord, bool>>? expression)
    {
        if (expression is null)
        {
            return null;
        }

        var filter = new VectorFilter();
        filter.Add(expression.Body, expression.Parameters[0]);
        return filter;
    }

    public bool Matches(string key, string text, Dictionary<string, string> metadata)
    {
        foreach (var (field, name, value) in _conditions)
        {
            var actual = field switch
            {
                Field.Key => key,
                Field.Text => text,
                _ => metadata.GetValueOrDefault(name!),
            };
            if (!string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private void Add(Expression body, ParameterExpression record)
    {
        switch (body)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso } and:
                Add(and.Left, record);
                Add(and.Right, record);
                return;
            case BinaryExpression { NodeType: ExpressionType.Equal } equal:
                if (TryField(equal.Left, record, out var field, out var name))
                {
                    _conditions.Add((field, name, Evaluate(equal.Right)));
                    return;
                }

                if (TryField(equal.Right, record, out field, out name))
                {
                    _conditions.Add((field, name, Evaluate(equal.Left)));
                    return;
                }

                break;
            case Expression { NodeType: ExpressionType.Constant } constant when constant is ConstantExpression { Value: true }:
                return;
        }

        throw new NotSupportedException($"{Supported}; got '{body}'");
    }

    private static bool TryField(Expression expression, ParameterExpression record, out Field field, out string? name)
    {
        field = default;
        name = null;
        if (expression is MemberExpression member && member.Expression == record)
        {
            if (member.Member == KeyProperty)
            {
                field = Field.Key;
                return true;
            }

            if (member.Member == TextProperty)
            {
                field = Field.Text;
                return true;
            }
        }

        if (expression is MethodCallExpression { Method.Name: "get_Item", Arguments.Count: 1 } call
            && call.Object is MemberExpression { Member: var m } metadata
            && m == MetadataProperty
            && metadata.Expression == record)
        {
            field = Field.Metadata;
            name = Evaluate(call.Arguments[0]) ?? throw new NotSupportedException($"{Supported}; a metadata name is null");
            return true;
        }

        return false;
    }

    /// <summary>Evaluates a value side: a constant or a captured variable (fields and properties of a closure).</summary>
    private static string? Evaluate(Expression expression)
    {
        switch (expression)
        {
            case ConstantExpression constant:
                return constant.Value as string ?? constant.Value?.ToString();
            case MemberExpression member:
                var target = member.Expression is null ? null : EvaluateObject(member.Expression);
                var value = member.Member switch
                {
                    FieldInfo f => f.GetValue(target),
                    PropertyInfo p => p.GetValue(target),
                    _ => throw new NotSupportedException($"{Supported}; got '{expression}'"),
                };
                return value as string ?? value?.ToString();
            case UnaryExpression { NodeType: ExpressionType.Convert } convert:
                return Evaluate(convert.Operand);
            default:
                throw new NotSupportedException($"{Supported}; the value '{expression}' must be a constant or a captured variable");
        }
    }

    private static object? EvaluateObject(Expression expression) => expression switch
    {
        ConstantExpression constant => constant.Value,
        MemberExpression { Member: FieldInfo f } member => f.GetValue(member.Expression is null ? null : EvaluateObject(member.Expression)),
        MemberExpression { Member: PropertyInfo p } member => p.GetValue(member.Expression is null ? null : EvaluateObject(member.Expression)),
        _ => throw new NotSupportedException($"{Supported}; the value '{expression}' must be a constant or a captured variable"),
    };
}
