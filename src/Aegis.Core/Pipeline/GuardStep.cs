namespace Aegis.Pipeline;

/// <summary>One compiled guard of a stage: the guardrail and the name it is referenced by in the pipeline.</summary>
internal sealed record GuardStep(string Name, IGuardrail Guard)
{
    public bool IsIncremental => Guard is IIncrementalGuardrail;
}
