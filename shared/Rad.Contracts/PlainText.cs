using System.Text;
using System.Text.RegularExpressions;

namespace Rad.Contracts;

/// <summary>Text from tools' terminal output made fit to store and show: no colour codes, no control characters.</summary>
public static partial class PlainText
{
    /// <summary>
    /// Removes ANSI escape sequences (colours, cursor moves: what docker build's RUN steps print) and every other
    /// control character but tab; what is left is what the terminal would have shown.
    /// </summary>
    public static string WithoutTerminalCodes(string text)
    {
        var withoutSequences = EscapeSequence().Replace(text, "");
        var clean = new StringBuilder(withoutSequences.Length);
        foreach (var c in withoutSequences)
        {
            if (!char.IsControl(c) || c == '\t')
                clean.Append(c);
        }
        return clean.ToString();
    }

    // CSI sequences (ESC [ parameters intermediates final) and two-character escapes; linear, no backtracking.
    [GeneratedRegex(@"\x1B(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])", RegexOptions.NonBacktracking)]
    private static partial Regex EscapeSequence();
}
