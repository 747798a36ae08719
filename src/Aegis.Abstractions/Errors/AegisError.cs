namespace Aegis;

/// <summary>One entry of the error catalog: a stable code, the HTTP status it maps to, and what/why/fix text.</summary>
/// <param name="Code">The stable code, <c>AEG-&lt;AREA&gt;-&lt;NNN&gt;</c>. Never reused for another meaning.</param>
/// <param name="HttpStatus">The HTTP status the code maps to.</param>
/// <param name="What">What went wrong, in one line.</param>
/// <param name="Why">The usual cause.</param>
/// <param name="Fix">What to do about it.</param>
public sealed record AegisError(string Code, int HttpStatus, string What, string Why, string Fix);
