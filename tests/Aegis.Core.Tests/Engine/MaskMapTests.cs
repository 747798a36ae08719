namespace Aegis.Core.Tests.Engine;

/// <summary>The mask map behaves the same with a handful of entries (scanned) and with many (indexed).</summary>
public sealed class MaskMapTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(40)]
    public void Placeholders_are_stable_numbered_per_type_and_restorable(int values)
    {
        var map = new MaskMap();
        var placeholders = new List<string>();
        for (var i = 0; i < values; i++)
        {
            var type = i % 2 == 0 ? "EMAIL_ADDRESS" : "PHONE_NUMBER";
            placeholders.Add(map.GetOrAddPlaceholder(type, $"value-{i}"));
        }

        Assert.Equal(values, map.Count);
        Assert.Equal("<EMAIL_ADDRESS_1>", placeholders[0]);
        if (values > 1)
        {
            Assert.Equal("<PHONE_NUMBER_1>", placeholders[1]);
        }

        Assert.Equal($"<EMAIL_ADDRESS_{(values + 1) / 2}>", placeholders[(values - 1) / 2 * 2]);
        for (var i = 0; i < values; i++)
        {
            var type = i % 2 == 0 ? "EMAIL_ADDRESS" : "PHONE_NUMBER";
            Assert.Equal(placeholders[i], map.GetOrAddPlaceholder(type, $"value-{i}"));
            Assert.Equal(placeholders[i], map.GetOrAddPlaceholder(type, $"value-{i}".AsSpan()));
            Assert.True(map.TryGetOriginal(placeholders[i], out var original));
            Assert.Equal($"value-{i}", original);
            Assert.True(map.TryGetOriginal(placeholders[i].AsSpan(), out original));
            Assert.Equal($"value-{i}", original);
            Assert.True(map.ContainsPlaceholder(placeholders[i]));
        }

        Assert.Equal(values, map.Count);
        Assert.False(map.TryGetOriginal("<EMAIL_ADDRESS_999>", out _));
        Assert.False(map.ContainsPlaceholder("<IBAN_1>"));

        // The same value under another type is another entry.
        Assert.Equal("<IBAN_1>", map.GetOrAddPlaceholder("IBAN", "value-0"));
        Assert.Equal(values + 1, map.Count);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(20)]
    public void A_map_rebuilt_from_its_entries_continues_the_numbering(int values)
    {
        var map = new MaskMap();
        for (var i = 0; i < values; i++)
        {
            map.GetOrAddPlaceholder("EMAIL_ADDRESS", $"a{i}@example.com");
        }

        var rebuilt = MaskMap.FromEntries(map.Entries);
        Assert.Equal(map.Entries, rebuilt.Entries);
        Assert.Equal($"<EMAIL_ADDRESS_{values}>", rebuilt.GetOrAddPlaceholder("EMAIL_ADDRESS", $"a{values - 1}@example.com"));
        Assert.Equal($"<EMAIL_ADDRESS_{values + 1}>", rebuilt.GetOrAddPlaceholder("EMAIL_ADDRESS", "new@example.com"));
        Assert.Equal("<PHONE_NUMBER_1>", rebuilt.GetOrAddPlaceholder("PHONE_NUMBER", "+1 415 555 0132"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    public void Withheld_values_share_the_numbering_but_are_never_restored_nor_taken_for_the_callers(int callerValues)
    {
        var map = new MaskMap();
        for (var i = 0; i < callerValues; i++)
        {
            map.GetOrAddPlaceholder("EMAIL_ADDRESS", $"caller{i}@example.com");
        }

        var withheld = map.GetOrAddWithheldPlaceholder("EMAIL_ADDRESS", "model@example.com");

        Assert.Equal($"<EMAIL_ADDRESS_{callerValues + 1}>", withheld);
        Assert.Equal(withheld, map.GetOrAddWithheldPlaceholder("EMAIL_ADDRESS", "model@example.com"));
        Assert.Equal(withheld, map.GetOrAddPlaceholder("EMAIL_ADDRESS", "model@example.com")); // stays withheld
        Assert.False(map.TryGetOriginal(withheld, out _));
        Assert.True(map.ContainsPlaceholder(withheld));
        Assert.False(map.IsCallerValue("model@example.com"));
        Assert.True(map.IsCallerValue("caller0@example.com"));
        Assert.True(map.TryGetOriginal("<EMAIL_ADDRESS_1>", out var original));
        Assert.Equal("caller0@example.com", original);

        // A caller's value keeps its own, restorable placeholder when the model repeats it.
        Assert.Equal("<EMAIL_ADDRESS_1>", map.GetOrAddWithheldPlaceholder("EMAIL_ADDRESS", "caller0@example.com"));

        // Checkpointed and rebuilt, the entry is still withheld and the numbering goes on after it.
        var rebuilt = MaskMap.FromEntries(map.Entries);
        Assert.Equal(map.Entries, rebuilt.Entries);
        Assert.False(rebuilt.TryGetOriginal(withheld, out _));
        Assert.True(rebuilt.ContainsPlaceholder(withheld));
        Assert.Equal($"<EMAIL_ADDRESS_{callerValues + 2}>", rebuilt.GetOrAddPlaceholder("EMAIL_ADDRESS", "later@example.com"));
    }

    [Fact]
    public void An_empty_map_has_no_entries()
    {
        var map = new MaskMap();
        Assert.Equal(0, map.Count);
        Assert.Empty(map.Entries);
        Assert.False(map.TryGetOriginal("<EMAIL_ADDRESS_1>", out _));
        Assert.Equal(0, MaskMap.FromEntries([]).Count);
    }
}
