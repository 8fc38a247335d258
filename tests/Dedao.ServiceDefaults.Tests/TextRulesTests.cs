using Dedao.ServiceDefaults.Apis;

namespace Dedao.ServiceDefaults.Tests;

public sealed class TextRulesTests
{
    [Theory]
    [InlineData("abc", 3)]
    [InlineData("😀😀😀😀", 4)]
    [InlineData("读者", 2)]
    public void Length_counts_characters_not_utf16_units(string text, int length) =>
        Assert.Equal(length, TextRules.LengthOf(text));

    [Theory]
    [InlineData("\u0000\u202e<script>")]
    [InlineData("a\u202eb")]
    [InlineData("a\u2066b\u2069")]
    [InlineData("a\u200fb")]
    [InlineData("a\nb")]
    [InlineData("a\tb")]
    [InlineData("a\u2028b")]
    public void A_name_with_control_or_bidi_characters_is_refused(string name) =>
        Assert.NotNull(TextRules.CheckName(name, 1, 32, out _));

    [Theory]
    [InlineData("读者")]
    [InlineData("👩‍💻 reader")]
    [InlineData("Zoë")]
    public void An_ordinary_name_passes_as_it_is(string name)
    {
        Assert.Null(TextRules.CheckName(name, 1, 32, out var stored));
        Assert.Equal(name, stored);
    }

    [Fact]
    public void A_name_is_stored_trimmed_in_nfc_and_its_length_counted_after()
    {
        var decomposed = "  " + string.Concat(Enumerable.Repeat("e\u0301", 4)) + " ";

        Assert.Null(TextRules.CheckName(decomposed, 1, 4, out var stored));

        Assert.Equal("éééé", stored);
    }

    [Fact]
    public void Text_with_an_unpaired_surrogate_is_not_well_formed_and_no_name()
    {
        // Built here: test data attributes would turn a lone surrogate into U+FFFD on their way to the test.
        foreach (var text in new[] { "a" + (char)0xD800 + "b", ((char)0xDC00).ToString(), "b" + (char)0xD83D })
        {
            Assert.False(TextRules.IsWellFormed(text));
            Assert.NotNull(TextRules.CheckName(text, 1, 32, out _));
        }

        Assert.True(TextRules.IsWellFormed("\uFFFD 😀"));
    }

    [Theory]
    [InlineData("", 1, 32)]
    [InlineData("   ", 1, 32)]
    [InlineData("abcde", 1, 4)]
    public void A_name_outside_its_length_is_refused(string name, int min, int max) =>
        Assert.NotNull(TextRules.CheckName(name, min, max, out _));
}
