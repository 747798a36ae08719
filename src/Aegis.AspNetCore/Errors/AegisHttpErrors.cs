using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Aegis.Http;

/// <summary>Writes the one error shape of the HTTP surface: <c>{"error": {code, what, why, fix, message, type}}</c>.</summary>
internal static class AegisHttpErrors
{
    /// <summary>The header that carries the run id on every response that concerns a run.</summary>
    public const string RunIdHeader = "x-aegis-run-id";

    /// <summary>The OpenAI error <c>type</c> for an HTTP status.</summary>
    public static string TypeFor(int status) => status switch
    {
        401 => "authentication_error",
        402 => "insufficient_quota",
        403 => "permission_error",
        404 => "not_found_error",
        409 => "conflict_error",
        429 => "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };

    /// <summary>The HTTP status of an error (catalog entries below 400 are informational and never sent as errors).</summary>
    public static int StatusOf(AegisError error) => error.HttpStatus >= 400 ? error.HttpStatus : 500;

    /// <summary>The text an SDK shows: code, what, the detail, and the run id.</summary>
    public static string MessageOf(AegisError error, string? detail, string? runId)
    {
        var message = detail is null ? $"{error.Code}: {error.What}" : $"{error.Code}: {error.What}: {detail}";
        return runId is null ? message : $"{message} (run {runId})";
    }

    /// <summary>Builds the envelope.</summary>
    public static ErrorEnvelope Envelope(AegisError error, string? detail, string? runId) => new(new ErrorBody
    {
        Code = error.Code,
        What = error.What,
        Why = error.Why,
        Fix = error.Fix,
        Message = MessageOf(error, detail, runId),
        Type = TypeFor(StatusOf(error)),
        RunId = runId,
    });

    /// <summary>Writes the error as the response, unless the response has started (then there is nothing left to do).</summary>
    public static Task WriteAsync(HttpContext context, AegisError error, string? detail, string? runId)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return Task.CompletedTask;
        }

        response.StatusCode = StatusOf(error);
        response.ContentType = "application/json; charset=utf-8";
        if (runId is not null)
        {
            response.Headers[RunIdHeader] = runId;
        }

        return JsonSerializer.SerializeAsync(response.Body, Envelope(error, detail, runId), AegisHttpJsonContext.Default.ErrorEnvelope, CancellationToken.None);
    }
}
