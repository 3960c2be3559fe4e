using System.Globalization;
using System.Text.RegularExpressions;

namespace Rad.Contracts;

/// <summary>Durations as rad.json writes them: "500ms", "2s", "1.5s", "5m", "1h".</summary>
public static partial class Duration
{
    public static TimeSpan? Parse(string text)
    {
        var match = Pattern().Match(text);
        if (!match.Success)
            return null;
        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(number),
            "s" => TimeSpan.FromSeconds(number),
            "m" => TimeSpan.FromMinutes(number),
            _ => TimeSpan.FromHours(number),
        };
    }

    /// <summary>The shortest way rad.json would write it back: "1.5s", "5m".</summary>
    public static string Format(TimeSpan value) =>
        value.TotalMilliseconds < 1000 ? $"{value.TotalMilliseconds:0}ms"
        : value.TotalSeconds < 60 || value.TotalSeconds % 60 != 0 ? $"{value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s"
        : value.TotalMinutes < 60 || value.TotalMinutes % 60 != 0 ? $"{value.TotalMinutes:0}m"
        : $"{value.TotalHours:0}h";

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$")]
    private static partial Regex Pattern();
}
