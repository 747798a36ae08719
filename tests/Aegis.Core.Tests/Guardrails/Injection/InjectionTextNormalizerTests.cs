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
    [InlineData(" \t\r\n ", "")]
    [InlineData("A\r\nB", "a\nb")]
    [InlineData("a \n b", "a\nb")]
    [InlineData("a\vb\fc\td\re", "a\nb\nc d e")]
    [InlineData("Line one.\nLine  two.", "line one.\nline two.")]
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

    [Fact]
    public void Ascii_fast_path_folds_like_the_general_fold()
    {
        var random = new Random(3);
        const string alphabet = "aB z.Q\t\n\v\f\r \u001C\u0000\u007F!";
        for (var n = 0; n < 5000; n++)
        {
            var chars = new char[random.Next(0, 120)];
            for (var i = 0; i < chars.Length; i++)
            {
                // Mostly letters and single spaces (the fast stretches), with every kind of white space mixed in.
                chars[i] = random.Next(4) == 0 ? alphabet[random.Next(alphabet.Length)] : (char)random.Next(' ', 0x7F);
            }

            var text = new string(chars);
            var buffer = new char[text.Length];
            var expected = new string(buffer, 0, InjectionTextNormalizer.Fold(text, buffer));
            Assert.Equal(expected, InjectionTextNormalizer.Normalize(text));
        }
    }
}
