using System.Buffers;
using System.Globalization;
using System.Text;

namespace Dedao.ServiceDefaults.Apis;

/// <summary>
/// Rules for text people type and others see (names, titles, comments): lengths count what a reader sees as
/// characters (Unicode scalar values, as MySQL's utf8mb4 counts them), not UTF-16 units, so an emoji is one; text is
/// stored in NFC, so the same name typed on two keyboards is one name; names refuse control and bidi characters,
/// which hide or reorder what is shown (<c>"\u202e"</c> turns <c>gpj.exe</c> around).
/// </summary>
public static class TextRules
{
    /// <summary>Characters as a reader counts them; an unpaired surrogate counts as one (and fails <see cref="IsWellFormed"/>).</summary>
    public static int LengthOf(string text) => text.EnumerateRunes().Count();

    /// <summary>False for text with an unpaired surrogate, which no encoding can store.</summary>
    public static bool IsWellFormed(string text)
    {
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var used) != OperationStatus.Done)
            {
                return false;
            }

            rest = rest[used..];
        }

        return true;
    }

    /// <summary>Trimmed and in NFC; call only on <see cref="IsWellFormed"/> text.</summary>
    public static string Normalize(string text) => text.Trim().Normalize(NormalizationForm.FormC);

    /// <summary>True when the text holds a control character (NUL, newline, tab, …) or a bidi override, embedding, isolate or mark.</summary>
    public static bool HasControlOrBidi(string text) => text.EnumerateRunes().Any(IsControlOrBidi);

    /// <summary>
    /// A name for display (a nickname, a title): well-formed, no control or bidi characters, and after
    /// <see cref="Normalize"/> from <paramref name="minLength"/> to <paramref name="maxLength"/> characters. Returns the
    /// error to show, or null and the form to store in <paramref name="normalized"/>.
    /// </summary>
    public static string? CheckName(string? text, int minLength, int maxLength, out string normalized)
    {
        normalized = "";
        if (text is null || !IsWellFormed(text))
        {
            return $"Must be {minLength} to {maxLength} characters.";
        }

        if (HasControlOrBidi(text))
        {
            return "Must not contain control or text-direction characters.";
        }

        normalized = Normalize(text);
        return LengthOf(normalized) is var length && length >= minLength && length <= maxLength
            ? null
            : $"Must be {minLength} to {maxLength} characters.";
    }

    private static bool IsControlOrBidi(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => true,
        // Format characters: the bidi ones (LRM, RLM, ALM, embeddings, overrides, isolates); ZWJ and ZWNJ stay, emoji and scripts need them.
        UnicodeCategory.Format => rune.Value is 0x061C or 0x200E or 0x200F or (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069),
        _ => false,
    };
}
