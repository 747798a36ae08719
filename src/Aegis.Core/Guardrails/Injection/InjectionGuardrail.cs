using System.Text.Json;
using Aegis.Guardrails.Injection;
using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>
/// The built-in <c>injection</c> pack: a pattern-based prompt-injection tripwire. It scans the text of every
/// <see cref="TextContent"/> (and every string <see cref="FunctionResultContent"/> result) of the stage's
/// content and blocks with <c>prompt injection: &lt;family&gt;</c> on the first hit. At
/// <see cref="GuardStage.Ingress"/> only user and tool messages are scanned: the caller's own system (or
/// developer) message legitimately contains instructions and is trusted, and earlier assistant turns are
/// the model's. At every other stage everything is scanned, because tool results and retrieved documents
/// are untrusted. Text is folded first (NFKC-like, lower case, invisible characters removed, whitespace
/// collapsed) so full-width letters and zero-width padding do not hide a phrase. Paraphrased or novel
/// attacks, other languages and attacks split across turns can get through: it is a tripwire, not a proof.
/// </summary>
public sealed class InjectionGuardrail : IGuardrail
{
    private const string PackName = "injection";

    private readonly InjectionScanner _scanner;
    private readonly Verdict[] _verdicts;

    /// <summary>Creates the guardrail.</summary>
    /// <param name="name">The guardrail's name (used in audit events and error messages).</param>
    /// <param name="options">The families to use.</param>
    /// <exception cref="AegisException"><c>AEG-CFG-004</c> when a family name is unknown.</exception>
    public InjectionGuardrail(string name, InjectionGuardrailOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        Name = name;

        var families = InjectionFamily.None;
        if (options.Families is not null)
        {
            foreach (var family in options.Families)
            {
                families |= ParseFamily(family, $"guardrails.{name}.families");
            }
        }

        Families = families == InjectionFamily.None ? InjectionFamily.All : families;
        _scanner = new InjectionScanner(Families);
        _verdicts =
        [
            Verdict.Block("prompt injection: " + InjectionFamilyNames.ToWire(InjectionFamily.InstructionOverride)),
            Verdict.Block("prompt injection: " + InjectionFamilyNames.ToWire(InjectionFamily.RoleImpersonation)),
            Verdict.Block("prompt injection: " + InjectionFamilyNames.ToWire(InjectionFamily.PromptLeak)),
            Verdict.Block("prompt injection: " + InjectionFamilyNames.ToWire(InjectionFamily.EncodedPayload)),
        ];
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The families in use (all when none were selected).</summary>
    internal InjectionFamily Families { get; }

    /// <summary>
    /// Builds the guardrail from configuration (<c>guardrails.&lt;name&gt;</c> with <c>pack: injection</c>).
    /// Accepts only <c>families</c>.
    /// </summary>
    /// <param name="name">The guardrail's name under <c>guardrails:</c>.</param>
    /// <param name="options">The bound configuration.</param>
    /// <exception cref="AegisException">
    /// <c>AEG-CFG-002</c> when a setting of another pack is present; <c>AEG-CFG-004</c> when a family is unknown.
    /// </exception>
    public static InjectionGuardrail Create(string name, GuardrailOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);

        options.EnsureOnly(name, PackName, "families");

        HashSet<string>? families = null;
        if (options.Families is { Count: > 0 } configured)
        {
            families = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < configured.Count; i++)
            {
                ParseFamily(configured[i], $"guardrails.{name}.families[{i}]");
                families.Add(configured[i]);
            }
        }

        return new InjectionGuardrail(name, new InjectionGuardrailOptions { Families = families });
    }

    /// <inheritdoc />
    public ValueTask<Verdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();

        var ingress = context.Stage == GuardStage.Ingress;
        var messages = context.Content;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (ingress && message.Role != ChatRole.User && message.Role != ChatRole.Tool)
            {
                continue;
            }

            var contents = message.Contents;
            for (var j = 0; j < contents.Count; j++)
            {
                var family = Scan(contents[j]);
                if (family != InjectionFamily.None)
                {
                    return new ValueTask<Verdict>(VerdictFor(family));
                }
            }
        }

        return new ValueTask<Verdict>(Verdict.Allow);
    }

    private Verdict VerdictFor(InjectionFamily family) => family switch
    {
        InjectionFamily.InstructionOverride => _verdicts[0],
        InjectionFamily.RoleImpersonation => _verdicts[1],
        InjectionFamily.PromptLeak => _verdicts[2],
        _ => _verdicts[3],
    };

    private InjectionFamily Scan(AIContent content) => content switch
    {
        TextContent text => _scanner.Scan(text.Text),
        FunctionResultContent { Result: string result } => _scanner.Scan(result),
        FunctionResultContent { Result: JsonElement element } => Scan(element, 0),
        _ => InjectionFamily.None,
    };

    // A JSON tool result: every string value (and property name) is scanned on its own, unescaped.
    private InjectionFamily Scan(JsonElement element, int depth)
    {
        const int MaxJsonDepth = 64;
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return _scanner.Scan(element.GetString() ?? "");
            case JsonValueKind.Array when depth < MaxJsonDepth:
                foreach (var item in element.EnumerateArray())
                {
                    var found = Scan(item, depth + 1);
                    if (found != InjectionFamily.None)
                    {
                        return found;
                    }
                }

                return InjectionFamily.None;
            case JsonValueKind.Object when depth < MaxJsonDepth:
                foreach (var property in element.EnumerateObject())
                {
                    var found = _scanner.Scan(property.Name);
                    if (found == InjectionFamily.None)
                    {
                        found = Scan(property.Value, depth + 1);
                    }

                    if (found != InjectionFamily.None)
                    {
                        return found;
                    }
                }

                return InjectionFamily.None;
            default:
                return InjectionFamily.None;
        }
    }

    private static InjectionFamily ParseFamily(string? value, string path)
    {
        if (!InjectionFamilyNames.TryParse(value, out var family))
        {
            throw new AegisException(
                AegisErrors.ConfigInvalidValue,
                $"{path}: '{Shorten(value)}' is not one of {InjectionFamilyNames.AllowedList}");
        }

        return family;
    }

    private static string Shorten(string? value) => value is null ? "" : value.Length <= 40 ? value : string.Concat(value.AsSpan(0, 40), "...");
}
