using System.Text.RegularExpressions;
using Aegis.Guardrails;
using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>
/// The built-in <c>regex</c> pack: blocks, sanitizes or requires approval when any configured pattern
/// matches the text of a <see cref="TextContent"/> (or a string <see cref="FunctionResultContent"/> result)
/// of the stage's content, at any stage. Patterns are compiled once, culture-invariant, with a match
/// timeout; a timeout counts as a match (fail closed): block and require-approval return their verdict,
/// sanitize replaces the whole text it could not scan. It is deliberately not incremental: a regular
/// expression has no bounded match length, so a route with a regex egress guard buffers its answer.
/// </summary>
public sealed class RegexGuardrail : IGuardrail
{
    private const string PackName = "regex";
    private const string AllowedVerdicts = "block, sanitize, require_approval";

    private readonly Regex[] _patterns;
    private readonly VerdictKind _kind;
    private readonly string? _reason;
    private readonly string _replacement;
    private readonly string _substitution;
    private readonly Verdict[] _verdicts;

    /// <summary>Creates the guardrail and compiles its patterns.</summary>
    /// <param name="name">The guardrail's name (used in audit events and error messages).</param>
    /// <param name="options">The patterns and what a match does.</param>
    /// <exception cref="AegisException">
    /// <c>AEG-CFG-003</c> when there is no pattern; <c>AEG-CFG-004</c> when a pattern is not a valid regular
    /// expression, the verdict is <see cref="VerdictKind.Allow"/>, or the reason or timeout is unusable.
    /// </exception>
    public RegexGuardrail(string name, RegexGuardrailOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        Name = name;

        if (options.Patterns is not { Count: > 0 } patterns)
        {
            throw new AegisException(AegisErrors.ConfigMissingField, $"guardrails.{name}.patterns");
        }

        if (options.Verdict is not (VerdictKind.Block or VerdictKind.Sanitize or VerdictKind.RequireApproval))
        {
            throw new AegisException(AegisErrors.ConfigInvalidValue, $"guardrails.{name}.verdict: '{Describe(options.Verdict)}' is not one of {AllowedVerdicts}");
        }

        if (options.Reason is not null && string.IsNullOrWhiteSpace(options.Reason))
        {
            throw new AegisException(AegisErrors.ConfigInvalidValue, $"guardrails.{name}.reason: must not be empty");
        }

        if (options.Replacement is null)
        {
            throw new AegisException(AegisErrors.ConfigInvalidValue, $"guardrails.{name}.replacement: must not be null");
        }

        if (options.MatchTimeout <= TimeSpan.Zero && options.MatchTimeout != Regex.InfiniteMatchTimeout)
        {
            throw new AegisException(AegisErrors.ConfigInvalidValue, $"guardrails.{name}.match_timeout: must be positive");
        }

        _kind = options.Verdict;
        _reason = options.Reason;
        _replacement = options.Replacement;
        _substitution = options.Replacement.Replace("$", "$$", StringComparison.Ordinal);
        _patterns = new Regex[patterns.Count];
        _verdicts = new Verdict[patterns.Count];
        for (var i = 0; i < patterns.Count; i++)
        {
            _patterns[i] = Compile(name, i, patterns[i], options.MatchTimeout);
            var reason = _reason ?? $"matched pattern {i}";
            _verdicts[i] = _kind == VerdictKind.RequireApproval ? Verdict.RequireApproval(reason) : Verdict.Block(reason);
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>
    /// Builds the guardrail from configuration (<c>guardrails.&lt;name&gt;</c> with <c>pack: regex</c>). Accepts <c>patterns</c> (required), <c>verdict</c> and <c>reason</c>.
    /// </summary>
    /// <param name="name">The guardrail's name under <c>guardrails:</c>.</param>
    /// <param name="options">The bound configuration.</param>
    /// <exception cref="AegisException">
    /// <c>AEG-CFG-002</c> when a setting of another pack is present; <c>AEG-CFG-003</c> when <c>patterns</c> is
    /// missing or empty; <c>AEG-CFG-004</c> when a pattern or the verdict is invalid.
    /// </exception>
    public static RegexGuardrail Create(string name, GuardrailOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);

        options.EnsureOnly(name, PackName, "patterns", "verdict", "reason");

        var kind = VerdictKind.Block;
        if (options.Verdict is not null
            && (!VerdictKindNames.TryParse(options.Verdict, out kind) || kind == VerdictKind.Allow))
        {
            throw new AegisException(
                AegisErrors.ConfigInvalidValue,
                $"guardrails.{name}.verdict: '{Shorten(options.Verdict)}' is not one of {AllowedVerdicts}");
        }

        return new RegexGuardrail(name, new RegexGuardrailOptions
        {
            Patterns = options.Patterns,
            Verdict = kind,
            Reason = options.Reason,
        });
    }

    /// <inheritdoc />
    public ValueTask<Verdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<Verdict>(_kind == VerdictKind.Sanitize ? Sanitize(context.Content) : Detect(context.Content));
    }

    private Verdict Detect(IReadOnlyList<ChatMessage> messages)
    {
        for (var i = 0; i < messages.Count; i++)
        {
            var contents = messages[i].Contents;
            for (var j = 0; j < contents.Count; j++)
            {
                if (TextOf(contents[j]) is not { Length: > 0 } text)
                {
                    continue;
                }

                for (var p = 0; p < _patterns.Length; p++)
                {
                    if (IsMatch(_patterns[p], text))
                    {
                        return _verdicts[p];
                    }
                }
            }
        }

        return Verdict.Allow;
    }

    private Verdict Sanitize(IReadOnlyList<ChatMessage> messages)
    {
        var rewriter = new Redactor(this);
        var sanitized = MessageRewriter.Rewrite(messages, ref rewriter);
        return sanitized is null ? Verdict.Allow : Verdict.Sanitize(sanitized, _reason ?? $"matched pattern {rewriter.First}");
    }

    /// <summary>Replaces every match of every pattern in one part; remembers the lowest pattern index that matched.</summary>
    private struct Redactor(RegexGuardrail guard) : IContentRewriter
    {
        public int First = -1;

        public string? Rewrite(AIContent content)
        {
            if (TextOf(content) is not { Length: > 0 } text)
            {
                return null;
            }

            var replaced = text;
            for (var p = 0; p < guard._patterns.Length; p++)
            {
                var next = guard.Replace(guard._patterns[p], replaced);
                if (!ReferenceEquals(next, replaced))
                {
                    First = First < 0 ? p : Math.Min(First, p);
                }

                replaced = next;
            }

            return replaced == text ? null : replaced;
        }
    }

    private static bool IsMatch(Regex pattern, string text)
    {
        try
        {
            return pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return true;
        }
    }

    private string Replace(Regex pattern, string text)
    {
        try
        {
            return pattern.Replace(text, _substitution);
        }
        catch (RegexMatchTimeoutException)
        {
            // Could not be scanned in time: nothing of it is let through.
            return _replacement;
        }
    }

    private static string? TextOf(AIContent content) => content switch
    {
        TextContent text => text.Text,
        ErrorContent { ErrorCode: OpenAIConventions.RefusalErrorCode } refusal => refusal.Message,
        FunctionResultContent { Result: string result } => result,
        _ => null,
    };

    private static Regex Compile(string name, int index, string? pattern, TimeSpan timeout)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            throw new AegisException(AegisErrors.ConfigInvalidValue, $"guardrails.{name}.patterns[{index}]: must not be empty");
        }

        try
        {
            return new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant, timeout);
        }
        catch (RegexParseException ex)
        {
            throw new AegisException(
                AegisErrors.ConfigInvalidValue,
                $"guardrails.{name}.patterns[{index}]: not a valid regular expression ({ex.Error} at offset {ex.Offset})");
        }
        catch (ArgumentException)
        {
            throw new AegisException(AegisErrors.ConfigInvalidValue, $"guardrails.{name}.patterns[{index}]: not a valid regular expression");
        }
    }

    private static string Describe(VerdictKind kind) =>
        Enum.IsDefined(kind) ? kind.ToWire() : ((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Shorten(string value) => value.Length <= 40 ? value : string.Concat(value.AsSpan(0, 40), "...");
}
