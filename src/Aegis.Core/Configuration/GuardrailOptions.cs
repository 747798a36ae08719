using Microsoft.Extensions.Configuration;

namespace Aegis;

/// <summary>
/// One guardrail (<c>guardrails.&lt;name&gt;</c>): the <c>pack</c> it instantiates and that pack's settings.
/// Built-in packs: <c>pii</c> (<c>mode</c>, <c>entities</c>, <c>deny_list</c>, <c>patterns</c>),
/// <c>injection</c> (<c>families</c>), <c>regex</c> (<c>patterns</c>, <c>verdict</c>, <c>reason</c>).
/// The original gateway's names resolve too (<c>aegis.pii</c>, <c>aegis.regex_guard</c>). Each pack
/// accepts only its own settings; anything else is <c>AEG-CFG-002</c>.
/// </summary>
public sealed class GuardrailOptions
{
    /// <summary>The pack to instantiate, e.g. <c>pii</c>, or the name of a guardrail registered in code.</summary>
    public string? Pack { get; set; }

    /// <summary><c>pii</c>: <c>mask</c> (default) or <c>block</c>.</summary>
    public string? Mode { get; set; }

    /// <summary><c>pii</c>: entity types to detect (default all), e.g. <c>EMAIL_ADDRESS</c>, <c>PHONE_NUMBER</c>.</summary>
    public List<string>? Entities { get; set; }

    /// <summary><c>pii</c>: literal values always treated as sensitive.</summary>
    [ConfigurationKeyName("deny_list")]
    public List<string>? DenyList { get; set; }

    /// <summary><c>regex</c>: the patterns; <c>pii</c>: extra patterns treated as sensitive.</summary>
    public List<string>? Patterns { get; set; }

    /// <summary><c>regex</c>: <c>block</c> (default), <c>sanitize</c> or <c>require_approval</c>.</summary>
    public string? Verdict { get; set; }

    /// <summary><c>regex</c>: the reason recorded with the verdict.</summary>
    public string? Reason { get; set; }

    /// <summary><c>injection</c>: pattern families to use (default all).</summary>
    public List<string>? Families { get; set; }

    /// <summary>Settings for a custom pack registered in code (flattened keys to values).</summary>
    public Dictionary<string, string?>? Settings { get; set; }

    /// <summary>
    /// Throws <c>AEG-CFG-002</c> for the first pack setting that is set but not among
    /// <paramref name="accepted"/> (snake_case keys), naming <c>guardrails.&lt;name&gt;.&lt;key&gt;</c>.
    /// The one place that knows every pack setting, so each pack lists only what it accepts.
    /// </summary>
    internal void EnsureOnly(string guardrail, string pack, params string[] accepted)
    {
        Reject("mode", Mode is not null);
        Reject("entities", Entities is not null);
        Reject("deny_list", DenyList is not null);
        Reject("patterns", Patterns is not null);
        Reject("verdict", Verdict is not null);
        Reject("reason", Reason is not null);
        Reject("families", Families is not null);
        Reject("settings", Settings is not null);

        void Reject(string key, bool isSet)
        {
            if (isSet && Array.IndexOf(accepted, key) < 0)
            {
                var accepts = accepted.Length == 0 ? "no settings" : string.Join(", ", accepted);
                throw new AegisException(AegisErrors.ConfigUnknownField, $"guardrails.{guardrail}.{key}: not a setting of the {pack} pack (it accepts {accepts})");
            }
        }
    }
}
