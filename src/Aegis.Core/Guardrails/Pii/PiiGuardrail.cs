using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aegis.Guardrails;
using Aegis.Guardrails.Pii;
using Aegis.Pooling;
using Microsoft.Extensions.AI;

namespace Aegis;

/// <summary>
/// The built-in <c>pii</c> guardrail pack: detects e-mail addresses, phone numbers, card numbers, IBANs, US SSNs,
/// IP addresses, URLs, deny-listed values and custom patterns. In <see cref="PiiMode.Mask"/> mode it replaces each
/// value on ingress and in tool results with a stable placeholder of the run's <see cref="MaskMap"/> and restores the
/// placeholders on egress; in <see cref="PiiMode.Block"/> mode it blocks. A tool call whose arguments carry a
/// placeholder of the run is blocked as an exfiltration attempt (<c>AEG-MCP-004</c>). Immutable and thread-safe.
/// </summary>
public sealed class PiiGuardrail : IIncrementalGuardrail
{
    private static readonly JsonSerializerOptions ScanJson = new(AIJsonUtilities.DefaultOptions)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    private static readonly Verdict?[] BlockVerdicts = new Verdict?[1 << PiiEntities.Count];

    private static readonly Verdict Exfiltration = Verdict.Block("tool call argument carries a masked value", AegisErrors.ToolExfiltration.Code);

    private readonly PiiDetector _detector;

    /// <summary>Creates the guardrail.</summary>
    /// <param name="name">The guardrail's name (configuration key and audit node).</param>
    /// <param name="options">What to detect and what to do with it.</param>
    /// <exception cref="ArgumentException">An unknown entity type or region, an empty deny-list value or an invalid pattern.</exception>
    public PiiGuardrail(string name, PiiGuardrailOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.HoldBack, nameof(options));
        if (!Enum.IsDefined(options.Mode))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "Unknown PII mode.");
        }

        Name = name;
        Mode = options.Mode;
        HoldBack = options.HoldBack;
        _detector = new PiiDetector(options);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Whether detected values are masked or blocked.</summary>
    public PiiMode Mode { get; }

    /// <summary>The streaming hold-back window in characters.</summary>
    internal int HoldBack { get; }

    /// <summary>
    /// Builds the guardrail from its configuration section (<c>guardrails.&lt;name&gt;</c>), validating it:
    /// <c>mode</c> must be <c>mask</c> or <c>block</c>, entity names must be known, patterns must compile
    /// (<c>AEG-CFG-004</c>), and settings of other packs are rejected (<c>AEG-CFG-002</c>).
    /// </summary>
    /// <param name="name">The guardrail's name under <c>guardrails:</c>.</param>
    /// <param name="options">The bound configuration.</param>
    /// <exception cref="AegisException">The configuration is invalid; the message names the key path.</exception>
    public static PiiGuardrail Create(string name, GuardrailOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        var path = "guardrails." + name;

        options.EnsureOnly(name, "pii", "mode", "entities", "deny_list", "patterns");

        var result = new PiiGuardrailOptions();
        if (options.Mode is not null)
        {
            result.Mode = options.Mode.Trim().ToUpperInvariant() switch
            {
                "MASK" => PiiMode.Mask,
                "BLOCK" => PiiMode.Block,
                _ => throw new AegisException(AegisErrors.ConfigInvalidValue, $"{path}.mode: '{options.Mode}' is not one of mask, block"),
            };
        }

        if (options.Entities is { Count: > 0 })
        {
            result.Entities = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < options.Entities.Count; i++)
            {
                var entity = options.Entities[i];
                if (!PiiEntities.TryParse(entity, out var parsed))
                {
                    throw new AegisException(AegisErrors.ConfigInvalidValue, $"{path}.entities[{i}]: '{entity}' is not one of {PiiEntities.AllNames}");
                }

                result.Entities.Add(PiiEntities.Name(parsed));
            }
        }

        if (options.DenyList is { Count: > 0 })
        {
            for (var i = 0; i < options.DenyList.Count; i++)
            {
                // The value itself is sensitive: the message names only its position.
                if (string.IsNullOrWhiteSpace(options.DenyList[i]))
                {
                    throw new AegisException(AegisErrors.ConfigInvalidValue, $"{path}.deny_list[{i}]: the value is empty");
                }
            }

            result.DenyList = [.. options.DenyList];
        }

        if (options.Patterns is { Count: > 0 })
        {
            for (var i = 0; i < options.Patterns.Count; i++)
            {
                var pattern = options.Patterns[i];
                if (string.IsNullOrEmpty(pattern))
                {
                    throw new AegisException(AegisErrors.ConfigInvalidValue, $"{path}.patterns[{i}]: the pattern is empty");
                }

                try
                {
                    _ = new Regex(pattern, RegexOptions.CultureInvariant);
                }
                catch (ArgumentException ex)
                {
                    throw new AegisException(AegisErrors.ConfigInvalidValue, $"{path}.patterns[{i}]: not a valid regular expression ({ex.Message})", ex);
                }
            }

            result.Patterns = [.. options.Patterns];
        }

        return new PiiGuardrail(name, result);
    }

    /// <inheritdoc />
    public ValueTask<Verdict> EvaluateAsync(GuardrailContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var verdict = context.Stage switch
        {
            GuardStage.Ingress or GuardStage.ToolResult => Mode == PiiMode.Mask ? MaskInbound(context) : BlockInbound(context),
            GuardStage.Egress => Egress(context),
            GuardStage.ToolCall => ToolCall(context),
            _ => throw new ArgumentOutOfRangeException(nameof(context), context.Stage, "Unknown stage."),
        };
        return new ValueTask<Verdict>(verdict);
    }

    /// <summary>Starts scanning a streamed egress answer with a hold-back window of <see cref="PiiGuardrailOptions.HoldBack"/> characters.</summary>
    public IGuardrailStream BeginStream(GuardrailContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new PiiGuardrailStream(this, context.State.MaskMap);
    }

    /// <summary>
    /// The egress segments of <paramref name="text"/>: placeholders of the caller's values (to restore) and detected
    /// values that are not values the caller supplied (to mask or block), sorted and non-overlapping; placeholders win
    /// overlaps. A value the model produced stays a detection however often it comes back, and its (withheld)
    /// placeholder is ordinary text.
    /// </summary>
    internal void CollectEgress(ReadOnlySpan<char> text, MaskMap map, ref List<PiiMatch>? segments)
    {
        _detector.Detect(text, ref segments);
        if (map.Count == 0)
        {
            return;
        }

        if (segments is { Count: > 0 })
        {
            // A value the caller itself supplied (it is in the map) is not a leak: leave it as it is.
            var kept = 0;
            for (var i = 0; i < segments.Count; i++)
            {
                if (!map.IsCallerValue(text.Slice(segments[i].Start, segments[i].Length)))
                {
                    segments[kept++] = segments[i];
                }
            }

            segments.RemoveRange(kept, segments.Count - kept);
        }

        if (!text.Contains('<'))
        {
            return;
        }

        var hadDetections = segments is { Count: > 0 };
        var addedPlaceholder = false;
        foreach (var m in PiiPatterns.Placeholder().EnumerateMatches(text))
        {
            if (map.TryGetOriginal(text.Slice(m.Index, m.Length), out _))
            {
                (segments ??= []).Add(new PiiMatch(m.Index, m.Length, PiiEntity.Placeholder));
                addedPlaceholder = true;
            }
        }

        if (hadDetections && addedPlaceholder)
        {
            RemoveOverlappingPlaceholders(segments!);
        }
        else if (addedPlaceholder)
        {
            segments!.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        }
    }

    /// <summary>
    /// Appends <paramref name="text"/>[<paramref name="from"/>..<paramref name="to"/>) to <paramref name="output"/>,
    /// restoring placeholder segments and masking detections that lie wholly inside the range: as the caller's values
    /// on the way in, as withheld values of the model on <paramref name="egress"/>.
    /// </summary>
    internal static void Rewrite(ReadOnlySpan<char> text, int from, int to, List<PiiMatch>? segments, MaskMap map, bool egress, StringBuilder output, ref PiiTally tally)
    {
        var position = from;
        for (var i = 0; segments is not null && i < segments.Count; i++)
        {
            var segment = segments[i];
            if (segment.Start < position || segment.End > to)
            {
                continue;
            }

            output.Append(text[position..segment.Start]);
            var value = text.Slice(segment.Start, segment.Length);
            if (segment.Entity == PiiEntity.Placeholder)
            {
                map.TryGetOriginal(value, out var original);
                output.Append(original);
            }
            else
            {
                output.Append(PlaceholderFor(map, PiiEntities.Name(segment.Entity), value, egress));
            }

            tally.Add(segment.Entity);
            position = segment.End;
        }

        output.Append(text[position..to]);
    }

    /// <summary>Adds the detected (non-placeholder) segments of <paramref name="segments"/> to <paramref name="tally"/>; returns whether there were any.</summary>
    internal static bool TallyDetections(List<PiiMatch>? segments, ref PiiTally tally, int from = 0, int to = int.MaxValue)
    {
        var any = false;
        for (var i = 0; segments is not null && i < segments.Count; i++)
        {
            var segment = segments[i];
            if (segment.Entity != PiiEntity.Placeholder && segment.Start >= from && segment.End <= to)
            {
                tally.Add(segment.Entity);
                any = true;
            }
        }

        return any;
    }

    /// <summary>The block verdict for detected types (names only, never values); one shared instance per set of types.</summary>
    internal static Verdict BlockFor(in PiiTally tally)
    {
        // Verdicts are immutable: two threads racing here build equal ones and either may stay in the slot.
        ref var cached = ref BlockVerdicts[tally.TypeMask];
        return cached ??= Verdict.Block("PII detected: " + tally.Types());
    }

    /// <summary>The run's placeholder for <paramref name="value"/>: the caller's on the way in, withheld on <paramref name="egress"/>.</summary>
    private static string PlaceholderFor(MaskMap map, string entityType, ReadOnlySpan<char> value, bool egress) =>
        egress ? map.GetOrAddWithheldPlaceholder(entityType, value) : map.GetOrAddPlaceholder(entityType, value);

    private static void RemoveOverlappingPlaceholders(List<PiiMatch> segments)
    {
        // Placeholders are exact tokens of the run: a detection that overlaps one is dropped.
        var kept = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            var drop = false;
            if (segment.Entity != PiiEntity.Placeholder)
            {
                for (var j = 0; j < segments.Count && !drop; j++)
                {
                    drop = segments[j].Entity == PiiEntity.Placeholder && segments[j].Overlaps(segment);
                }
            }

            if (!drop)
            {
                segments[kept++] = segment;
            }
        }

        segments.RemoveRange(kept, segments.Count - kept);
        segments.Sort(static (a, b) => a.Start.CompareTo(b.Start));
    }

    private Verdict MaskInbound(GuardrailContext context)
    {
        var state = new TransformState(this, context.State.MaskMap, egress: false) { Segments = ListCache<PiiMatch>.Acquire() };
        try
        {
            var changed = MessageRewriter.Rewrite(context.Content, ref state);
            return changed is null ? Verdict.Allow : Verdict.Sanitize(changed, state.Tally.Describe());
        }
        finally
        {
            ListCache<PiiMatch>.Release(state.Segments);
        }
    }

    private Verdict BlockInbound(GuardrailContext context)
    {
        var matches = ListCache<PiiMatch>.Acquire();
        try
        {
            var tally = default(PiiTally);
            var messages = context.Content;
            for (var i = 0; i < messages.Count; i++)
            {
                var contents = messages[i].Contents;
                for (var j = 0; j < contents.Count; j++)
                {
                    var text = ScannableText(contents[j], includeToolResults: true);
                    if (text is not null)
                    {
                        _detector.Detect(text, ref matches);
                        TallyDetections(matches, ref tally);
                    }
                }
            }

            return tally.HasDetections ? BlockFor(tally) : Verdict.Allow;
        }
        finally
        {
            ListCache<PiiMatch>.Release(matches);
        }
    }

    private Verdict Egress(GuardrailContext context)
    {
        var state = new TransformState(this, context.State.MaskMap, egress: true) { Segments = ListCache<PiiMatch>.Acquire() };
        try
        {
            var changed = MessageRewriter.Rewrite(context.Content, ref state);
            if (state.Blocked.HasDetections)
            {
                return BlockFor(state.Blocked);
            }

            return changed is null ? Verdict.Allow : Verdict.Sanitize(changed, state.Tally.Describe());
        }
        finally
        {
            ListCache<PiiMatch>.Release(state.Segments);
        }
    }

    /// <summary>Masks (ingress, tool results) or restores and masks (egress) one text; <see langword="null"/> when unchanged.</summary>
    private string? TransformText(string text, ref TransformState state)
    {
        if (state.Egress)
        {
            CollectEgress(text, state.Map, ref state.Segments);
            if (state.Segments is not { Count: > 0 } || (Mode == PiiMode.Block && TallyDetections(state.Segments, ref state.Blocked)))
            {
                return null;
            }
        }
        else
        {
            _detector.Detect(text, ref state.Segments);
            if (state.Segments is not { Count: > 0 })
            {
                return null;
            }
        }

        var output = StringBuilderCache.Acquire(text.Length + 16);
        Rewrite(text, 0, text.Length, state.Segments, state.Map, state.Egress, output, ref state.Tally);
        return StringBuilderCache.GetStringAndRelease(output);
    }

    private Verdict ToolCall(GuardrailContext context)
    {
        var map = context.State.MaskMap;
        List<PiiMatch>? matches = null;
        var tally = default(PiiTally);
        var messages = context.Content;
        for (var i = 0; i < messages.Count; i++)
        {
            var contents = messages[i].Contents;
            for (var j = 0; j < contents.Count; j++)
            {
                if (contents[j] is not FunctionCallContent { Arguments: { Count: > 0 } arguments })
                {
                    continue;
                }

                foreach (var argument in arguments)
                {
                    var text = ArgumentText(argument.Value);
                    if (text is null)
                    {
                        continue;
                    }

                    if (map.Count > 0 && CarriesPlaceholder(text, map))
                    {
                        return Exfiltration;
                    }

                    if (Mode == PiiMode.Block)
                    {
                        _detector.Detect(text, ref matches);
                        TallyDetections(matches, ref tally);
                    }
                }
            }
        }

        return tally.HasDetections ? BlockFor(tally) : Verdict.Allow;
    }

    private static bool CarriesPlaceholder(string text, MaskMap map)
    {
        if (!text.Contains('<', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var m in PiiPatterns.Placeholder().EnumerateMatches(text))
        {
            // Withheld placeholders too: a tool must not be handed any of the run's placeholders.
            if (map.ContainsPlaceholder(text.AsSpan(m.Index, m.Length)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A tool-call argument as text: strings as they are, anything else as compact JSON with unescaped characters.</summary>
    private static string? ArgumentText(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case string s:
                return s;
            case JsonElement { ValueKind: JsonValueKind.String } e:
                return e.GetString();
        }

        try
        {
            return JsonSerializer.Serialize(value, value.GetType(), ScanJson);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            // Not serializable (a cycle, an unsupported type): scan what the object says about itself.
            return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The text of a content part that this pack scans and rewrites, or <see langword="null"/>.</summary>
    private static string? ScannableText(AIContent content, bool includeToolResults) => content switch
    {
        TextContent { Text: { Length: > 0 } text } => text,
        ErrorContent { ErrorCode: OpenAIConventions.RefusalErrorCode, Message: { Length: > 0 } refusal } => refusal,
        FunctionResultContent { Result: { } result } when includeToolResults => ArgumentText(result),
        _ => null,
    };

    /// <summary>The working state of one evaluation (a struct: nothing is allocated when nothing is found).</summary>
    private struct TransformState(PiiGuardrail guard, MaskMap map, bool egress) : IContentRewriter
    {
        public readonly PiiGuardrail Guard = guard;
        public readonly MaskMap Map = map;
        public readonly bool Egress = egress;
        public List<PiiMatch>? Segments;
        public PiiTally Tally;
        public PiiTally Blocked;

        /// <summary>Masks or restores one scannable part (tool results are masked on the way in only).</summary>
        public string? Rewrite(AIContent content) =>
            ScannableText(content, includeToolResults: !Egress) is { } text ? Guard.TransformText(text, ref this) : null;
    }
}
