using System.Text.RegularExpressions;

namespace Dedao.Testing;

/// <summary>A resource's console as text: a CI log shows the escape codes of its colours as characters.</summary>
internal static partial class ConsoleColours
{
    public static string Remove(string line) => Escape().Replace(line, "");

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Escape();
}
