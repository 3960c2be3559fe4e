using System.Globalization;
using System.Text;

namespace Rad.Contracts;

/// <summary>
/// Text as PostgreSQL can store it (it refuses NUL in text and in jsonb) and as a person can read it: every control
/// character but tab and line breaks becomes a visible \u00XX. Applied wherever RAD stores text that came from outside.
/// </summary>
public static class StoredText
{
    public static string Clean(string text)
    {
        if (!text.Any(NeedsEscape))
            return text;
        var clean = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (NeedsEscape(c))
                clean.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else
                clean.Append(c);
        }
        return clean.ToString();
    }

    public static string? CleanOrNull(string? text) => text is null ? null : Clean(text);

    static bool NeedsEscape(char c) => char.IsControl(c) && c is not ('\t' or '\n' or '\r');
}
