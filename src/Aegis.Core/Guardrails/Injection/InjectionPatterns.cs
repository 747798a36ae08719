using System.Text.RegularExpressions;

namespace Aegis.Guardrails.Injection;

/// <summary>
/// The source-generated patterns of the text families. They run on text already folded by
/// <see cref="InjectionTextNormalizer"/> (lower case, one space between words, one newline between lines), so
/// they are written in lower case and need no case-insensitivity. Every repetition is bounded, so a match
/// attempt costs a small constant per position. Each phrase is anchored on a target that names the model's
/// own instructions (previous / prior / above / system / your ...), which is what keeps ordinary requests
/// such as "ignore the typo in my previous message" or "ignore case when comparing strings" out.
/// </summary>
internal static partial class InjectionPatterns
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;
    private const RegexOptions LineOptions = Options | RegexOptions.Multiline;

    // What instructions are called.
    private const string Nouns =
        @"(?:instructions?|directions|rules|prompts?|directives?|guidelines?|guardrails?|constraints?|commands?|orders|programming|polic(?:y|ies)|restrictions?|safeguards?|filters?)";

    // Words that point at the model's own (earlier, system) instructions.
    private const string Earlier =
        @"(?:previous(?:ly\s+given)?|prior|above|preceding|earlier|foregoing|former|original|initial|system|developer|your|the\s+(?:previous|prior|above|preceding|earlier|foregoing|original|initial|system|developer))";

    // Verbs that discard instructions.
    private const string Discard =
        @"(?:ignore|disregard|forget|neglect|set\s+aside|pay\s+no\s+attention\s+to|(?:do\s+not|don't|dont|never|stop|no\s+longer)\s+(?:follow(?:ing)?|obey(?:ing)?|adher(?:e|ing)\s+to|listen(?:ing)?\s+to|comply(?:ing)?\s+with))";

    private const string InstructionOverridePattern =
        // "ignore all previous instructions", "disregard the above rules", "do not follow your guidelines"
        @"\b" + Discard + @"\s+(?:\w+\s+){0,2}?(?:" + Earlier + @"\s+(?:[\w'-]+\s+){0,2}?" + Nouns + @"|all\s+" + Nouns + @")\b"
        // "ignore the above." / "ignore the above and ..."
        + @"|\b(?:ignore|disregard|forget)\s+(?:all\s+(?:of\s+)?)?the\s+above(?=\s*(?:[.,;:!]|$|and\b|then\b|instead\b))"
        // "forget everything above", "ignore everything written before this"
        + @"|\b(?:ignore|disregard|forget)\s+(?:everything|anything|all)\s+(?:(?:that\s+)?(?:is\s+|was\s+)?(?:said|written|stated|given)\s+)?(?:above|before\s+this|before\s+now|prior\s+to\s+this)\b"
        // "forget what you were told"
        + @"|\b(?:ignore|disregard|forget)\s+(?:what|everything|anything|all)\s+(?:that\s+)?you\s+(?:were|have\s+been|'ve\s+been)\s+(?:told|instructed|programmed|trained)\b"
        // "new instructions:"
        + @"|\bnew\s+(?:system\s+)?(?:instructions?|directives?|system\s+prompt)\s*:"
        // "from now on you will ..."
        + @"|\bfrom\s+now\s+on\s*,?\s+(?:you\s+(?:will|are|must|shall|have\s+to|no\s+longer)|you'(?:ll|re)|your\s+(?:new\s+)?(?:name|role|instructions|task|purpose|goal)\s+(?:is|are))\b"
        // "your previous instructions are void"
        + @"|\b(?:your|the|all)\s+(?:previous|prior|original|initial|old|earlier|system)\s+(?:instructions|rules|prompts?|directives|guidelines)\s+(?:are|is|have\s+been|has\s+been)\s+(?:now\s+)?(?:void|null|cancell?ed|revoked|obsolete|invalid|lifted|suspended|disabled|overridden|superseded|replaced|no\s+longer\s+(?:valid|apply|applicable|in\s+effect|active))\b"
        // "override your safety guidelines", "bypass your content filters"
        + @"|\b(?:override|overrule|bypass|circumvent|disable|deactivate|turn\s+off)\s+(?:\w+\s+){0,2}?your\s+(?:[\w-]+\s+){0,2}?(?:" + Nouns + @"|safety|alignment|content\s+filter(?:s|ing)?|ethics|training)\b"
        // "override the previous instructions"
        + @"|\b(?:override|overrule|bypass|circumvent)\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|preceding|earlier|original|initial|system)\s+(?:instructions?|prompts?|directives?|guidelines|programming)\b";

    private const string RoleImpersonationPattern =
        // a line that opens a fake turn: "system:", "developer message:", "[system]", "### system"
        @"^[ \t]*(?:system|developer)(?:[ \t]+(?:prompt|message|instructions?|override))?[ \t]*:"
        + @"|^[ \t]*\[[ \t]*(?:system|developer|sys)(?:[ \t]+(?:prompt|message|instructions?|note|override))?[ \t]*\]"
        + @"|^[ \t]*#{1,6}[ \t]*(?:system|developer)(?:[ \t]+(?:prompt|message|instructions?|override))?[ \t]*(?::|$)"
        // markup and chat-template tokens
        + @"|<[ \t]*/?[ \t]*(?:system|system_prompt|system-prompt|developer)[ \t]*>"
        + @"|<\|(?:im_start|start_header_id)\|>\s*(?:system|developer|assistant)"
        + @"|<\|(?:system|developer|im_system)\|>"
        + @"|<<\s*/?sys\s*>>"
        // jailbreak personas: "you are now dan", "you are in developer mode", "you are jailbroken"
        + @"|\byou\s+are\s+(?:now\s+)?(?:(?:going\s+to\s+)?(?:act\s+as|be|become|pretend\s+to\s+be|roleplay\s+as)\s+)?(?:dan\b|(?:an?\s+)?(?:jailbroken|unrestricted|unfiltered|uncensored|unshackled|unaligned)\b|in\s+(?:developer|dan|jailbreak|jailbroken|unrestricted|unfiltered|uncensored|sudo)\s+mode\b|free\s+(?:from|of)\s+(?:all\s+)?(?:your\s+)?(?:restrictions|rules|limitations|guidelines|filters|constraints|programming)\b)"
        // "act as an unrestricted ai", "act as dan"
        + @"|\b(?:act|behave|respond|answer|operate|roleplay|role-play|role\s+play)\s+(?:as|like)\s+(?:if\s+you\s+(?:are|were)\s+)?(?:an?\s+)?(?:\w+\s+)?(?:unrestricted|unfiltered|uncensored|jailbroken|unaligned|unshackled|unbound|evil|amoral|unethical|rogue)\s+(?:\w+\s+)?(?:ai|assistant|model|chatbot|bot|llm|language\s+model|version\s+of\s+(?:yourself|you|chatgpt|gpt|claude))\b"
        + @"|\b(?:act|behave|roleplay)\s+as\s+dan\b"
        // "pretend you are jailbroken"
        + @"|\bpretend\s+(?:to\s+be|you\s+are|you're|that\s+you\s+are)\s+(?:now\s+)?(?:an?\s+)?(?:\w+\s+)?(?:dan\b|jailbroken|unrestricted|unfiltered|uncensored|unaligned|unshackled)"
        // "enable dan mode", "do anything now", "you have no restrictions"
        + @"|\b(?:enable|activate|enter|switch\s+(?:to|into)|turn\s+on|engage)\s+(?:the\s+)?(?:dan|jailbreak|jailbroken|unrestricted|unfiltered|uncensored)\s+mode\b"
        + @"|\bdo\s+anything\s+now\b"
        + @"|\byou\s+(?:now\s+)?(?:have|possess)\s+no\s+(?:\w+\s+)?(?:restrictions|limitations|filters|guidelines|content\s+polic(?:y|ies)|ethical\s+(?:guidelines|constraints|boundaries|limits)|moral\s+\w+)\b";

    // Verbs that ask for text to be shown.
    private const string Reveal =
        @"(?:reveal|print|repeat|show|display|output|tell|give|share|leak|dump|expose|disclose|recite|echo|spell\s+out|write\s+out|type\s+out|list|paste|copy|reproduce|return|send|translate|summari[sz]e|encode|read\s+(?:out|back))";

    private const string Adjectives =
        @"(?:(?:full|exact|entire|complete|whole|original|initial|hidden|secret|internal|current|actual|real|raw|first|confidential|verbatim)\s+){0,3}";

    // Words that only mean the model's own instructions when the sentence ends there ("tell me your instructions.").
    private const string EndsHere =
        @"(?=\s*(?:[.,;:!?)""'\n]|$|verbatim|word\s+for\s+word|exactly|in\s+full|as\s+(?:written|given)|above|you\s+(?:were|have\s+been)\s+given))";

    // Names of the hidden prompt: "the system prompt", "the hidden instructions", "the original prompt." (the last
    // only at the end of the request, so "the original prompt of the essay" stays out).
    private const string HiddenPrompt =
        @"(?:system\s+(?:prompt|instructions?)|developer\s+(?:prompt|instructions?|message)|(?:hidden|secret|internal|confidential|pre-?)\s*(?:prompts?|instructions?)|(?:initial|original)\s+(?:prompts?|instructions?)" + EndsHere + @"|(?:prompt|instructions?)\s+(?:above|you\s+(?:were|have\s+been)\s+given))";

    private const string YourPrompt =
        @"(?:system\s+message|(?:instructions|rules|guidelines|prompt|programming|directives)" + EndsHere + ")";

    private const string PromptLeakPattern =
        // "reveal your system prompt", "print the hidden instructions", "tell me your instructions."
        @"\b" + Reveal + @"(?:\s+(?:me|us))?(?:\s+back)?(?:\s+(?:all|exactly|verbatim))?(?:\s+of)?\s+(?:(?:the|your)\s+" + Adjectives + HiddenPrompt + @"|your\s+" + Adjectives + YourPrompt + @")"
        // "what is your system prompt?"
        + @"|\bwhat(?:\s+(?:is|are|was|were)|'s|'re)\s+(?:in\s+)?your\s+" + Adjectives + @"(?:" + HiddenPrompt + @"|(?:prompt|instructions|programming|directives)" + EndsHere + @")"
        // "what instructions were you given?", "what have you been instructed"
        + @"|\bwhat\s+(?:were|have)\s+you\s+(?:been\s+)?(?:instructed|programmed)\b"
        + @"|\bwhat\s+instructions\s+(?:were\s+you|have\s+you\s+been|did\s+you\s+(?:get|receive))\b"
        // "repeat everything above", "print the text above"
        + @"|\b(?:repeat|print|output|recite|echo|copy|paste|write\s+out|type\s+out|reproduce|show|display|dump|reveal|return)\s+(?:back\s+)?(?:me\s+)?(?:everything|all|all\s+(?:of\s+)?the\s+(?:text|words|content|messages)|the\s+(?:(?:full|entire|whole|exact)\s+)?(?:text|words|content|messages?|lines?|instructions|prompt))\s+(?:(?:that\s+)?(?:is|was|were|appears?|appearing|written|said|given)\s+)?(?:above|before\s+(?:this|my\s+(?:first\s+)?(?:message|question))|preceding\s+this|prior\s+to\s+this|at\s+the\s+(?:start|beginning)\s+of\s+(?:this|the)\s+(?:conversation|chat|context))\b";

    // Keyword prefilters. Each family's pattern cannot match a (normalised) text that contains none of its
    // keywords: every branch of the pattern requires at least one of them literally (a noun such as "rule",
    // a target such as "above", a persona word such as "jailbr..."). Searching for them takes a few vectorised
    // passes (InjectionKeywords), so ordinary text skips the pattern, whose possible starting characters are
    // most letters. The verdicts are the pattern's: a keyword hit only means the pattern runs.
    // InjectionPrefilterTests keeps the keyword lists honest against the attack tables.
    internal static readonly InjectionKeywords InstructionOverrideKeywords = new(
    [
        "instruct", "direct", "rule", "prompt", "guideline", "guardrail", "constraint", "command", "order", "programm",
        "polic", "restriction", "safeguard", "filter", "above", "before", "prior", "told", "train", "now", "safety",
        "alignment", "ethics",
    ]);

    internal static readonly InjectionKeywords RoleImpersonationKeywords = new(
    [
        "sys", "developer", "<|", "dan", "jailbr", "unrestricted", "unfiltered", "uncensored", "unshackled", "unaligned",
        "unbound", "evil", "moral", "ethical", "rogue", "mode", "free", "anything", "restriction", "limitation", "filter",
        "guideline", "polic",
    ]);

    internal static readonly InjectionKeywords PromptLeakKeywords = new(
    [
        "prompt", "instruct", "developer", "sys", "rule", "guideline", "programm", "direct", "above", "before", "preceding",
        "prior", "start", "beginning",
    ]);

    /// <summary>The three text families.</summary>
    public const InjectionFamily TextFamilies = InjectionFamily.InstructionOverride | InjectionFamily.RoleImpersonation | InjectionFamily.PromptLeak;

    /// <summary>
    /// The first of the text families in <paramref name="families"/> (in the order instruction_override,
    /// role_impersonation, prompt_leak) whose pattern matches the normalised <paramref name="normalized"/>, or
    /// <see cref="InjectionFamily.None"/>.
    /// </summary>
    public static InjectionFamily FirstMatch(ReadOnlySpan<char> normalized, InjectionFamily families)
    {
        if ((families & InjectionFamily.InstructionOverride) != 0 && IsInstructionOverride(normalized))
        {
            return InjectionFamily.InstructionOverride;
        }

        if ((families & InjectionFamily.RoleImpersonation) != 0 && IsRoleImpersonation(normalized))
        {
            return InjectionFamily.RoleImpersonation;
        }

        if ((families & InjectionFamily.PromptLeak) != 0 && IsPromptLeak(normalized))
        {
            return InjectionFamily.PromptLeak;
        }

        return InjectionFamily.None;
    }

    /// <summary>Whether <see cref="InstructionOverride"/> matches the normalised <paramref name="normalized"/> (prefiltered by keyword).</summary>
    public static bool IsInstructionOverride(ReadOnlySpan<char> normalized) =>
        InstructionOverrideKeywords.ContainsAny(normalized) && InstructionOverride().IsMatch(normalized);

    /// <summary>Whether <see cref="RoleImpersonation"/> matches the normalised <paramref name="normalized"/> (prefiltered by keyword).</summary>
    public static bool IsRoleImpersonation(ReadOnlySpan<char> normalized) =>
        RoleImpersonationKeywords.ContainsAny(normalized) && RoleImpersonation().IsMatch(normalized);

    /// <summary>Whether <see cref="PromptLeak"/> matches the normalised <paramref name="normalized"/> (prefiltered by keyword).</summary>
    public static bool IsPromptLeak(ReadOnlySpan<char> normalized) =>
        PromptLeakKeywords.ContainsAny(normalized) && PromptLeak().IsMatch(normalized);

    /// <summary>The <c>instruction_override</c> family.</summary>
    [GeneratedRegex(InstructionOverridePattern, Options)]
    public static partial Regex InstructionOverride();

    /// <summary>The <c>role_impersonation</c> family.</summary>
    [GeneratedRegex(RoleImpersonationPattern, LineOptions)]
    public static partial Regex RoleImpersonation();

    /// <summary>The <c>prompt_leak</c> family.</summary>
    [GeneratedRegex(PromptLeakPattern, Options)]
    public static partial Regex PromptLeak();

    /// <summary>Base64 (standard or URL-safe) runs long enough to carry a sentence; run on the raw text.</summary>
    [GeneratedRegex(@"[A-Za-z0-9+/_-]{24,}={0,2}", RegexOptions.CultureInvariant)]
    public static partial Regex Base64Candidate();

    /// <summary>Hex runs of at least 16 bytes: contiguous, <c>\x</c>-escaped, or separated by one space, colon, comma or dash.</summary>
    [GeneratedRegex(@"(?<![0-9A-Fa-f])(?:0x)?(?:[0-9A-Fa-f]{2}){16,}(?![0-9A-Fa-f])|(?:\\x[0-9A-Fa-f]{2}){16,}|[0-9A-Fa-f]{2}(?:[ :,-][0-9A-Fa-f]{2}){15,}", RegexOptions.CultureInvariant)]
    public static partial Regex HexCandidate();
}
