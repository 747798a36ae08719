using Microsoft.AspNetCore.Http;

namespace Aegis.Http;

/// <summary>Coded answers for paths under the prefix that no endpoint serves (404) and known paths asked with another method (405).</summary>
internal static class FallbackEndpoints
{
    public static Task NotFoundAsync(AegisHttpRuntime runtime, HttpContext context) =>
        AegisHttpErrors.WriteAsync(context, AegisErrors.RequestUnknownPath, $"{context.Request.Method} {context.Request.Path} is not an Aegis endpoint", null);

    public static RequestDelegate MethodNotAllowed(string allowed) => AegisHttpRuntime.Anonymous((_, context) =>
    {
        context.Response.Headers.Allow = allowed;
        return AegisHttpErrors.WriteAsync(context, AegisErrors.RequestMethodNotAllowed, $"{context.Request.Method} is not allowed here; use {allowed}", null);
    });
}
