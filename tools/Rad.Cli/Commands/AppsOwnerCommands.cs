using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rad.Contracts;
using static Rad.Cli.Commands.CommandRunner;

namespace Rad.Cli.Commands;

/// <summary>
/// rad apps show NAME: which repository owns the application on a cluster, and every claim and transfer of it;
/// rad apps transfer NAME --to REPO: an operator gives it to another repository (recorded with who, when, from, to).
/// </summary>
public static class AppsOwnerCommands
{
    public static Command Show()
    {
        var name = HistoryCommand.NameArgument();
        var cluster = AppsCommand.ClusterOption("the cluster (default: local)");
        var show = new Command("show", "Show which repository owns an application, and its claims and transfers") { name, cluster };
        show.SetAction((result, token) => RunAsync(result, async client =>
        {
            var raw = await client.CallAsync(HttpMethod.Get,
                $"api/applications/{Uri.EscapeDataString(result.GetValue(name)!)}/owner?cluster={Uri.EscapeDataString(result.GetValue(cluster) ?? LocalCluster.Name)}", null, token);
            Print(result, raw, Describe(raw));
            return ExitCodes.Succeeded;
        }, token));
        return show;
    }

    public static Command Transfer()
    {
        var name = HistoryCommand.NameArgument();
        var to = new Option<string>("--to") { Description = "the repository that is to own it (its clone URL)", Required = true };
        var cluster = AppsCommand.ClusterOption("the cluster (default: local)");
        var reason = new Option<string?>("--reason") { Description = "why, recorded" };
        var transfer = new Command("transfer", "Give an application to another repository: only that repository's deployments may deploy it then") { name, to, cluster, reason };
        transfer.SetAction((result, token) => RunAsync(result, async client =>
        {
            var raw = await client.CallAsync(HttpMethod.Post, $"api/applications/{Uri.EscapeDataString(result.GetValue(name)!)}/transfer",
                new { to = result.GetValue(to), cluster = result.GetValue(cluster) ?? LocalCluster.Name, reason = result.GetValue(reason), by = RollbackCommand.Actor }, token);
            Print(result, raw, Describe(raw));
            return ExitCodes.Succeeded;
        }, token));
        return transfer;
    }

    static string Describe(string raw)
    {
        using var document = JsonDocument.Parse(raw);
        var root = document.RootElement;
        var lines = new List<string>
        {
            $"{root.GetProperty("application").GetString()} on {root.GetProperty("cluster").GetString()} belongs to {root.GetProperty("repository").GetString()} " +
            $"since {When(root.GetProperty("since"))}",
        };
        foreach (var e in root.GetProperty("history").EnumerateArray())
        {
            var from = e.GetProperty("from").GetString();
            var reason = e.GetProperty("reason").GetString();
            lines.Add($"  {When(e.GetProperty("at"))}  {e.GetProperty("action").GetString(),-11} {(from is null ? "" : $"from {from} ")}to {e.GetProperty("to").GetString()} " +
                      $"by {e.GetProperty("by").GetString()}{(reason is null ? "" : $": {reason}")}");
        }
        return string.Join('\n', lines);
    }

    static string When(JsonElement at) => at.GetDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
