using Aegis.Guardrails.Injection;

namespace Aegis.Core.Tests.Guardrails.Injection;

public sealed class InjectionTextNormalizerTests
{
    [Theory]
    [InlineData("Hello   World", "hello world")]
    [InlineData("  a\r\n\r\n   b\tc  ", "a\nb c")]
    [InlineData("ig\u200Bno\u2060re", "ignore")]
    [InlineData("\uFF29\uFF27\uFF2E\uFF2F\uFF32\uFF25", "ignore")]
    [InlineData("\U0001D422\U0001D420\U0001D427", "ign")]
    [InlineData("\u24BE\u24D6", "ig")]
    [InlineData("\u0456gn\u043Ere", "ignore")]
    [InlineData("don\u2019t", "don't")]
    [InlineData("", "")]
    public void Folds_text(string input, string expected) => Assert.Equal(expected, InjectionTextNormalizer.Normalize(input));

    [Fact]
    public void Normal_text_is_returned_as_is()
    {
        const string text = "already normal text.\nsecond line";
        Assert.Same(text, InjectionTextNormalizer.Normalize(text));
    }

    [Fact]
    public void A_lone_surrogate_does_not_throw()
    {
        Assert.Equal("a\uD800b", InjectionTextNormalizer.Normalize("A\uD800B"));
    }
}
