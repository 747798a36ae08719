using Microsoft.Extensions.AI;

namespace Aegis.Engine;

/// <summary>Checks a run request before anything runs: coded errors, never a null reference.</summary>
internal static class RequestValidator
{
    private static readonly ChatRole Developer = new("developer");

    public static void Validate(RunRequest request)
    {
        if (request.Messages is null || request.Messages.Count == 0)
        {
            throw new AegisException(AegisErrors.RequestEmptyMessages, "messages is empty");
        }

        if (string.IsNullOrWhiteSpace(request.Route))
        {
            throw new AegisException(AegisErrors.RequestUnknownRoute, "route is empty");
        }

        if (request.Principal is null)
        {
            throw new AegisException(AegisErrors.RequestMissingField, "principal");
        }

        if (request.Approvers is null)
        {
            throw new AegisException(AegisErrors.RequestMissingField, "approvers");
        }

        var anyContent = false;
        for (var i = 0; i < request.Messages.Count; i++)
        {
            var message = request.Messages[i] ?? throw new AegisException(AegisErrors.RequestMissingField, $"messages[{i}]");
            var role = message.Role;
            if (role != ChatRole.User && role != ChatRole.System && role != ChatRole.Assistant && role != ChatRole.Tool && role != Developer)
            {
                throw new AegisException(AegisErrors.RequestUnknownRole, $"messages[{i}].role: '{Truncate(role.Value)}'");
            }

            if (message.Contents.Count > 0)
            {
                anyContent = true;
            }
        }

        if (!anyContent)
        {
            throw new AegisException(AegisErrors.RequestEmptyMessages, "every message is empty");
        }

        for (var i = 0; i < request.Approvers.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(request.Approvers[i]))
            {
                throw new AegisException(AegisErrors.RequestInvalidField, $"approvers[{i}] is empty");
            }
        }
    }

    private static string Truncate(string value) => value.Length <= 32 ? value : value[..32] + "…";
}
