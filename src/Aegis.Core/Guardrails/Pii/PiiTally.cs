using System.Globalization;
using System.Runtime.CompilerServices;

namespace Aegis.Guardrails.Pii;

/// <summary>
/// Counts detections per entity type and restored placeholders, and turns them into value-free reasons. A value
/// type with the counts inline: counting allocates nothing, and a reason is built on the stack (only the string
/// itself is allocated).
/// </summary>
internal struct PiiTally
{
    private Counts _counts;
    private int _mask;

    /// <summary>Number of placeholders restored.</summary>
    public int Restored { get; private set; }

    /// <summary>Whether any entity was counted (restorations aside).</summary>
    public readonly bool HasDetections => _mask != 0;

    /// <summary>The counted types as bits (bit <c>(int)entity</c>): the same set always gives the same <see cref="Types"/>.</summary>
    public readonly int TypeMask => _mask;

    /// <summary>Counts one detection or restoration.</summary>
    public void Add(PiiEntity entity)
    {
        if (entity == PiiEntity.Placeholder)
        {
            Restored++;
            return;
        }

        _counts[(int)entity]++;
        _mask |= 1 << (int)entity;
    }

    /// <summary>The detected types, e.g. <c>EMAIL_ADDRESS, PHONE_NUMBER</c>.</summary>
    public readonly string Types()
    {
        var text = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[128]);
        var first = true;
        for (var i = 0; i < PiiEntities.Count; i++)
        {
            if (_counts[i] > 0)
            {
                text.AppendLiteral(first ? string.Empty : ", ");
                text.AppendLiteral(PiiEntities.Name((PiiEntity)i));
                first = false;
            }
        }

        return text.ToStringAndClear();
    }

    /// <summary>For example <c>restored 2 placeholders; masked 1 EMAIL_ADDRESS, 1 URL</c>.</summary>
    public readonly string Describe()
    {
        var text = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[128]);
        if (Restored > 0)
        {
            text.AppendLiteral("restored ");
            text.AppendFormatted(Restored);
            text.AppendLiteral(Restored == 1 ? " placeholder" : " placeholders");
        }

        if (HasDetections)
        {
            text.AppendLiteral(Restored > 0 ? "; masked " : "masked ");
            var first = true;
            for (var i = 0; i < PiiEntities.Count; i++)
            {
                if (_counts[i] > 0)
                {
                    text.AppendLiteral(first ? string.Empty : ", ");
                    text.AppendFormatted(_counts[i]);
                    text.AppendLiteral(" ");
                    text.AppendLiteral(PiiEntities.Name((PiiEntity)i));
                    first = false;
                }
            }
        }

        return text.ToStringAndClear();
    }

    [InlineArray(PiiEntities.Count)]
    private struct Counts
    {
        private int _count;
    }
}
