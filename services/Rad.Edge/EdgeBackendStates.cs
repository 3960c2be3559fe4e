using System.Text.RegularExpressions;

namespace Rad.Edge;

/// <summary>
/// How many of each application's serving servers HAProxy holds in each state, from its own "show stat": up, down,
/// maint (in maintenance) or drain (HAProxy's DRAIN or NOLB, or up at weight 0, as the idle slot of a blue-green or a
/// canary's old slot at 100%: checked, but given no new connection). The check backends are left out: their servers
/// are the same tasks again.
/// </summary>
public static partial class EdgeBackendStates
{
    public const string Up = "up";
    public const string Down = "down";
    public const string Maint = "maint";
    public const string Drain = "drain";

    public static IReadOnlyList<string> All { get; } = [Up, Down, Maint, Drain];

    /// <summary>Counts by application and state; an application whose servers are all gone is absent.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Count(HaproxyStats stats)
    {
        var counts = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var row in stats.Rows)
        {
            var server = HaproxyStats.Text(row, "svname");
            if (server is "FRONTEND" or "BACKEND" || ServingBackend().Match(HaproxyStats.Text(row, "pxname")) is not { Success: true } match)
                continue;
            if (StateOf(HaproxyStats.Text(row, "status"), HaproxyStats.Number(row, "weight")) is not { } state)
                continue;
            var application = match.Groups[1].Value;
            if (!counts.TryGetValue(application, out var byState))
                counts[application] = byState = All.ToDictionary(s => s, _ => 0);
            byState[state]++;
        }
        return counts.ToDictionary(c => c.Key, c => (IReadOnlyDictionary<string, int>)c.Value);
    }

    /// <summary>
    /// HAProxy's status words: "UP", "UP 1/2" (failing, not yet down), "DOWN", "DOWN 1/2" (recovering), "NOLB" and
    /// "DRAIN" (no new traffic), "MAINT" or "MAINT (via ...)", "no check" (never checked: taken as up). HAProxy 2.6 still
    /// says UP for a server set to weight 0. Null for anything else.
    /// </summary>
    public static string? StateOf(string status, long weight) => status.Split(' ')[0] switch
    {
        "UP" => weight == 0 ? Drain : Up,
        "no" when status == "no check" => weight == 0 ? Drain : Up,
        "DOWN" => Down,
        "MAINT" => Maint,
        "DRAIN" or "NOLB" => Drain,
        _ => null,
    };

    // HaproxyConfig.Backend: app_APPLICATION_PORT; application names hold no '_'.
    [GeneratedRegex(@"^app_([a-z0-9-]+)_[0-9]+$")]
    private static partial Regex ServingBackend();
}
