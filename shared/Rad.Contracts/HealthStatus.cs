using System.Text.RegularExpressions;

namespace Rad.Contracts;

/// <summary>The HTTP statuses a health check accepts, written "200", "2xx" or "2xx-3xx" (a range of codes or classes).</summary>
public static partial class HealthStatus
{
    /// <summary>The lowest and highest accepted status, or null when <paramref name="expect"/> is not such a text.</summary>
    public static (int Min, int Max)? Range(string expect)
    {
        var match = Pattern().Match(expect);
        if (!match.Success)
            return null;
        var low = Bound(match.Groups[1].Value, low: true);
        var high = match.Groups[2].Success ? Bound(match.Groups[2].Value, low: false) : Bound(match.Groups[1].Value, low: false);
        return low <= high ? (low, high) : null;
    }

    public static bool Accepts(string expect, int status) => Range(expect) is var (min, max) && status >= min && status <= max;

    static int Bound(string part, bool low) =>
        part.EndsWith("xx", StringComparison.Ordinal) ? (part[0] - '0') * 100 + (low ? 0 : 99) : int.Parse(part, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("^([1-5](?:xx|[0-9]{2}))(?:-([1-5](?:xx|[0-9]{2})))?$")]
    private static partial Regex Pattern();
}
