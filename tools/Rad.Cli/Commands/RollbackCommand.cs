using System.CommandLine;
using Rad.Contracts;
using static Rad.Cli.Commands.CommandRunner;

namespace Rad.Cli.Commands;

/// <summary>rad rollback NAME [--to N] [--cluster C] [--reason TEXT] [--follow]: back to an earlier revision (no clone, no build), then pinned.</summary>
public static class RollbackCommand
{
    /// <summary>Who asks, as pins and revisions record it: the user at this machine.</summary>
    public static string Actor => $"{Environment.UserName}@{Environment.MachineName}";

    public static Command Create()
    {
        var name = HistoryCommand.NameArgument();
        var to = new Option<int?>("--to") { Description = "the revision (default: the last one that served before the current one)" };
        var cluster = AppsCommand.ClusterOption("the cluster (default: local)");
        var reason = new Option<string?>("--reason") { Description = "why, recorded with the pin" };
        var follow = DeployCommand.FollowOption();
        var rollback = new Command("rollback", "Put an application back at an earlier revision and pin it there (automation skips it until rad unpin)")
            { name, to, cluster, reason, follow };
        rollback.SetAction((result, token) => RunAsync(result, async client =>
        {
            var accepted = await client.CallAsync(HttpMethod.Post, $"api/applications/{Uri.EscapeDataString(result.GetValue(name)!)}/rollback", new
            {
                cluster = result.GetValue(cluster) ?? LocalCluster.Name,
                revision = result.GetValue(to),
                reason = result.GetValue(reason),
                by = Actor,
            }, token);
            var answer = System.Text.Json.JsonDocument.Parse(accepted).RootElement;
            var id = answer.GetProperty("id").GetGuid();
            if (!result.GetValue(follow))
            {
                Print(result, accepted, $"rolling {result.GetValue(name)} back to revision {answer.GetProperty("revision").GetInt32()} in deployment {id}; follow it with: rad status {id} --follow");
                return ExitCodes.Succeeded;
            }
            if (Mode(result) != OutputMode.Json)
                Console.Error.WriteLine($"deployment {id}: {result.GetValue(name)} back to revision {answer.GetProperty("revision").GetInt32()}");
            return await new Follower(client, Mode(result)).FollowAsync(id, token);
        }, token));
        return rollback;
    }
}
