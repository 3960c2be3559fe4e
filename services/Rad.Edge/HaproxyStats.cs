using System.Globalization;

namespace Rad.Edge;

/// <summary>HAProxy's "show stat" (CSV, one row per frontend, backend and server) from the worker <see cref="Worker"/>.</summary>
public sealed class HaproxyStats(string? worker, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> rows)
{
    public string? Worker { get; } = worker;

    /// <summary>The row of a server ("backend/server"), or null when HAProxy has no such server.</summary>
    public IReadOnlyDictionary<string, string>? Row(string backend, string server) => rows.GetValueOrDefault($"{backend}/{server}");

    /// <summary>Every row: frontends, backends and servers.</summary>
    public IEnumerable<IReadOnlyDictionary<string, string>> Rows => rows.Values;

    public static long Number(IReadOnlyDictionary<string, string>? row, string field) =>
        row is not null && row.TryGetValue(field, out var text) && long.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : 0;

    public static string Text(IReadOnlyDictionary<string, string>? row, string field) =>
        row is not null && row.TryGetValue(field, out var text) ? text : "";

    /// <summary>
    /// The result of the server's last health check ("L4OK", "L7STS", ...; empty before the first). HAProxy puts "* "
    /// before it while the next check is running, which says nothing about the result: a server whose check was under
    /// way at the moment of a look read as not checked UP, and a rollout waited for the next look.
    /// </summary>
    public static string LastCheck(IReadOnlyDictionary<string, string>? row) =>
        Text(row, "check_status") is var status && status.StartsWith(CheckRunning, StringComparison.Ordinal) ? status[CheckRunning.Length..] : status;

    const string CheckRunning = "* ";

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Parse(string csv)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var result = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        if (lines.Length == 0 || !lines[0].StartsWith("# ", StringComparison.Ordinal))
            return result;
        var header = lines[0][2..].Split(',');
        foreach (var line in lines.Skip(1))
        {
            var values = line.Split(',');
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Length && i < values.Length; i++)
                row[header[i]] = values[i];
            if (row.TryGetValue("pxname", out var proxy) && row.TryGetValue("svname", out var server))
                result[$"{proxy}/{server}"] = row;
        }
        return result;
    }
}
