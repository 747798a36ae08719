namespace Aegis.Guardrails.Pii;

/// <summary>One detection in a text: where it is and what it is. Carries no value, only offsets.</summary>
/// <param name="Start">Offset of the first character.</param>
/// <param name="Length">Number of characters.</param>
/// <param name="Entity">The entity type.</param>
internal readonly record struct PiiMatch(int Start, int Length, PiiEntity Entity)
{
    /// <summary>Offset just past the last character.</summary>
    public int End => Start + Length;

    /// <summary>Whether this match and <paramref name="other"/> share at least one character.</summary>
    public bool Overlaps(PiiMatch other) => Start < other.End && other.Start < End;
}
