namespace Aegis;

/// <summary>
/// The one exception type of Aegis: carries a catalog <see cref="AegisError"/> and a detail that says
/// what exactly was wrong (the offending key, path or run id). Never carries a secret or PII value.
/// </summary>
public sealed class AegisException : Exception
{
    /// <summary>Creates an exception for <paramref name="error"/>.</summary>
    /// <param name="error">The catalog entry.</param>
    /// <param name="detail">What exactly was wrong, for example <c>guardrails.pii.mode: 'hide' is not one of mask, block</c>.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public AegisException(AegisError error, string? detail = null, Exception? innerException = null)
        : base(detail is null ? $"{error.Code}: {error.What}" : $"{error.Code}: {error.What}: {detail}", innerException)
    {
        Error = error;
        Detail = detail;
    }

    /// <summary>The catalog entry.</summary>
    public AegisError Error { get; }

    /// <summary>The code, e.g. <c>AEG-CFG-002</c>.</summary>
    public string Code => Error.Code;

    /// <summary>What exactly was wrong, or <see langword="null"/>.</summary>
    public string? Detail { get; }

    /// <summary>The run this error concerns, when there is one.</summary>
    public string? RunId { get; init; }
}
