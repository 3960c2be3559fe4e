using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rad.Contracts;
using static Rad.Cli.Commands.CommandRunner;

namespace Rad.Cli.Commands;

/// <summary>rad apps [--cluster C]: what runs where, at which revision, with its replicas and pin.</summary>
public static class AppsCommand
{
    public static Option<string?> ClusterOption(string description) => new("--cluster") { Description = description };

    public static Command Create()
    {
        var cluster = ClusterOption("only this cluster (default: every cluster)");
        var apps = new Command("apps", "List the applications RAD runs: revision, commit, replicas running/desired/healthy, pins") { cluster };
        apps.Subcommands.Add(AppsOwnerCommands.Show());
        apps.Subcommands.Add(AppsOwnerCommands.Transfer());
        apps.SetAction((result, token) => RunAsync(result, async client =>
        {
            var query = result.GetValue(cluster) is { } name ? $"?cluster={Uri.EscapeDataString(name)}" : "";
            var raw = await client.CallAsync(HttpMethod.Get, $"api/applications{query}", null, token);
            if (Mode(result) == OutputMode.Json)
            {
                Console.Out.WriteLine(raw);
                return ExitCodes.Succeeded;
            }
            var views = JsonSerializer.Deserialize<List<ApplicationStatusView>>(raw, RadClient.Json)!;
            Console.Out.WriteLine($"{"APPLICATION",-24} {"CLUSTER",-10} {"REV",4} {"COMMIT",-12} {"REPLICAS",-14} {"STRATEGY",-10} {"DEPLOYED",-20} ENDPOINT / NOTE");
            foreach (var v in views)
            {
                var replicas = v.Replicas.Running is null ? $"?/{v.Replicas.Desired}" : $"{v.Replicas.Running}/{v.Replicas.Desired} ({v.Replicas.Healthy} ok)";
                var note = v.Pin is { } pin ? $"PINNED at {pin.Revision} by {pin.PinnedBy}{(pin.Reason is null ? "" : $": {pin.Reason}")}" : v.Problem;
                Console.Out.WriteLine($"{v.Name,-24} {v.Cluster,-10} {v.Revision,4} {v.Commit[..Math.Min(12, v.Commit.Length)],-12} {replicas,-14} {v.Strategy,-10} " +
                                      $"{v.DeployedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-20} {v.Endpoint}{(note is null ? "" : $"  {note}")}");
            }
            return ExitCodes.Succeeded;
        }, token));
        return apps;
    }
}
