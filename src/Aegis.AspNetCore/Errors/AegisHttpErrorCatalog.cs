namespace Aegis.Http;

/// <summary>
/// Errors of the HTTP surface that the shared catalog (<see cref="AegisErrors"/>) has no code for yet.
/// Their codes continue the REQ area; the lead may move them into <see cref="AegisErrors"/>.
/// </summary>
internal static class AegisHttpErrorCatalog
{
    /// <summary>AEG-REQ-009: no endpoint at this path.</summary>
    public static readonly AegisError PathNotFound = new("AEG-REQ-009", 404, "Unknown endpoint", "No Aegis endpoint is mounted at this path", "Check the path against docs/http-api.md (e.g. POST /v1/chat/completions)");

    /// <summary>AEG-REQ-010: the endpoint exists but not for this HTTP method.</summary>
    public static readonly AegisError MethodNotAllowed = new("AEG-REQ-010", 405, "Method not allowed", "The endpoint exists but does not accept this HTTP method", "Use the method named in the Allow header");
}
