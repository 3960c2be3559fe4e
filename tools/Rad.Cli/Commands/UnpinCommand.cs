using System.CommandLine;
using Rad.Contracts;
using static Rad.Cli.Commands.CommandRunner;

namespace Rad.Cli.Commands;

/// <summary>rad unpin NAME [--cluster C] [--reason TEXT]: deployments of its repository deploy it again.</summary>
public static class UnpinCommand
{
    public static Command Create()
    {
        var name = HistoryCommand.NameArgument();
        var cluster = AppsCommand.ClusterOption("the cluster (default: local)");
        var reason = new Option<string?>("--reason") { Description = "why, recorded" };
        var unpin = new Command("unpin", "End the pin a rollback set: deployments of its repository deploy it again") { name, cluster, reason };
        unpin.SetAction((result, token) => RunAsync(result, async client =>
        {
            var answer = await client.CallAsync(HttpMethod.Post, $"api/applications/{Uri.EscapeDataString(result.GetValue(name)!)}/unpin",
                new { cluster = result.GetValue(cluster) ?? LocalCluster.Name, reason = result.GetValue(reason), by = RollbackCommand.Actor }, token);
            Print(result, answer, $"unpinned {result.GetValue(name)} on {result.GetValue(cluster) ?? LocalCluster.Name}");
            return ExitCodes.Succeeded;
        }, token));
        return unpin;
    }
}
