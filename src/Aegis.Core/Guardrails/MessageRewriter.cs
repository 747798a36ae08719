using Microsoft.Extensions.AI;

namespace Aegis.Guardrails;

/// <summary>Decides the new text of one content part, or <see langword="null"/> to keep it unchanged.</summary>
internal interface IContentRewriter
{
    string? Rewrite(AIContent content);
}

/// <summary>
/// Copy-on-write rewriting of messages for sanitizing guardrails: the input is never mutated, untouched
/// messages and parts are shared, a changed message is cloned without its raw provider object (which
/// still carries the original values), and nothing is allocated when nothing changes.
/// </summary>
internal static class MessageRewriter
{
    /// <summary>The rewritten messages, or <see langword="null"/> when no part changed. The rewriter is passed by reference so its state survives.</summary>
    public static List<ChatMessage>? Rewrite<TRewriter>(IReadOnlyList<ChatMessage> messages, ref TRewriter rewriter)
        where TRewriter : struct, IContentRewriter
    {
        List<ChatMessage>? result = null;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var contents = message.Contents;
            List<AIContent>? newContents = null;
            for (var j = 0; j < contents.Count; j++)
            {
                var content = contents[j];
                var replaced = rewriter.Rewrite(content);
                if (replaced is not null && newContents is null)
                {
                    newContents = new List<AIContent>(contents.Count);
                    for (var k = 0; k < j; k++)
                    {
                        newContents.Add(contents[k]);
                    }
                }

                newContents?.Add(replaced is null ? content : WithText(content, replaced));
            }

            if (newContents is not null && result is null)
            {
                result = new List<ChatMessage>(messages.Count);
                for (var k = 0; k < i; k++)
                {
                    result.Add(messages[k]);
                }
            }

            if (newContents is null)
            {
                result?.Add(message);
                continue;
            }

            var clone = message.Clone();
            clone.Contents = newContents;
            clone.RawRepresentation = null;
            result!.Add(clone);
        }

        return result;
    }

    /// <summary>A copy of a text, tool-result or refusal part with new text (its call id or code, metadata and annotations kept).</summary>
    public static AIContent WithText(AIContent content, string text) => content switch
    {
        ErrorContent e => new ErrorContent(text)
        {
            ErrorCode = e.ErrorCode,
            Details = e.Details,
            AdditionalProperties = e.AdditionalProperties,
            Annotations = e.Annotations,
        },
        FunctionResultContent r => new FunctionResultContent(r.CallId, text)
        {
            Exception = r.Exception,
            AdditionalProperties = r.AdditionalProperties,
            Annotations = r.Annotations,
        },
        _ => new TextContent(text)
        {
            AdditionalProperties = content.AdditionalProperties,
            Annotations = content.Annotations,
        },
    };
}
