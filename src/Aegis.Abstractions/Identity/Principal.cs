namespace Aegis;

/// <summary>Who is calling: the identity a run is attributed to, audited under and authorized against.</summary>
public sealed record Principal
{
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>(0);

    /// <summary>Creates a principal.</summary>
    /// <param name="id">The stable principal id (never a secret).</param>
    /// <param name="team">The team the principal belongs to, if any.</param>
    /// <param name="labels">Free-form labels (for example <c>env=prod</c>).</param>
    public Principal(string id, string? team = null, IReadOnlyDictionary<string, string>? labels = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
        Team = team;
        Labels = labels ?? NoLabels;
    }

    /// <summary>The fixed principal used in dev mode, where authentication is off.</summary>
    public static Principal Local { get; } = new("local", "local");

    /// <summary>The stable principal id.</summary>
    public string Id { get; }

    /// <summary>The principal's team, or <see langword="null"/>.</summary>
    public string? Team { get; }

    /// <summary>Free-form labels attached to the principal.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; }
}
