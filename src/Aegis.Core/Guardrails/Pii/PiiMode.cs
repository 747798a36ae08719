namespace Aegis;

/// <summary>What the <c>pii</c> guardrail does with a detected value. Configuration names: <c>mask</c>, <c>block</c>.</summary>
public enum PiiMode
{
    /// <summary>Replace each value with a stable placeholder such as <c>&lt;EMAIL_ADDRESS_1&gt;</c> and restore it on egress.</summary>
    Mask,

    /// <summary>Block the run as soon as a value is detected.</summary>
    Block,
}
