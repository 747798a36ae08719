namespace Aegis;

/// <summary>
/// A guardrail: scans the content of one stage and returns a <see cref="Verdict"/>.
/// Implementations are registered under a name and referenced from configuration; they must be
/// thread-safe (one instance serves every run of every route that references it).
/// </summary>
public interface IGuardrail
{
    /// <summary>The guardrail's name as used in audit events (<c>node</c>) and in configuration.</summary>
    string Name { get; }

    /// <summary>Scans <paramref name="context"/> and decides.</summary>
    ValueTask<Verdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken = default);
}
