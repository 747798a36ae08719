using System.Text;

namespace Aegis.Guardrails.Pii;

/// <summary>Counts detections per entity type and restored placeholders, and turns them into value-free reasons.</summary>
internal struct PiiTally
{
    private int[]? _counts;

    /// <summary>Number of placeholders restored.</summary>
    public int Restored { get; private set; }

    /// <summary>Whether any entity was counted (restorations aside).</summary>
    public readonly bool HasDetections => _counts is not null;

    /// <summary>Counts one detection or restoration.</summary>
    public void Add(PiiEntity entity)
    {
        if (entity == PiiEntity.Placeholder)
        {
            Restored++;
            return;
        }

        (_counts ??= new int[PiiEntities.Count])[(int)entity]++;
    }

    /// <summary>The detected types, e.g. <c>EMAIL_ADDRESS, PHONE_NUMBER</c>.</summary>
    public readonly string Types()
    {
        var text = new StringBuilder();
        for (var i = 0; _counts is not null && i < _counts.Length; i++)
        {
            if (_counts[i] > 0)
            {
                text.Append(text.Length == 0 ? string.Empty : ", ").Append(PiiEntities.Name((PiiEntity)i));
            }
        }

        return text.ToString();
    }

    /// <summary>For example <c>restored 2 placeholders; masked 1 EMAIL_ADDRESS, 1 URL</c>.</summary>
    public readonly string Describe()
    {
        var text = new StringBuilder();
        if (Restored > 0)
        {
            text.Append("restored ").Append(Restored).Append(Restored == 1 ? " placeholder" : " placeholders");
        }

        if (_counts is not null)
        {
            text.Append(text.Length == 0 ? "masked " : "; masked ");
            var first = true;
            for (var i = 0; i < _counts.Length; i++)
            {
                if (_counts[i] > 0)
                {
                    text.Append(first ? string.Empty : ", ").Append(_counts[i]).Append(' ').Append(PiiEntities.Name((PiiEntity)i));
                    first = false;
                }
            }
        }

        return text.ToString();
    }
}
