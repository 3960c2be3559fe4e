using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rad.Contracts;
using static Rad.Cli.Commands.CommandRunner;

namespace Rad.Cli.Commands;

/// <summary>rad history NAME [--cluster C]: the application's revisions, newest first, with outcome and deployment.</summary>
public static class HistoryCommand
{
    public static Argument<string> NameArgument() => new("name") { Description = "the application's name (application_name in rad.json)" };

    public static Command Create()
    {
        var name = NameArgument();
        var cluster = AppsCommand.ClusterOption("the cluster (default: local)");
        var history = new Command("history", "Show an application's revisions, newest first") { name, cluster };
        history.SetAction((result, token) => RunAsync(result, async client =>
        {
            var raw = await client.CallAsync(HttpMethod.Get,
                $"api/applications/{Uri.EscapeDataString(result.GetValue(name)!)}/revisions?cluster={Uri.EscapeDataString(result.GetValue(cluster) ?? LocalCluster.Name)}", null, token);
            if (Mode(result) == OutputMode.Json)
            {
                Console.Out.WriteLine(raw);
                return ExitCodes.Succeeded;
            }
            Console.Out.WriteLine($"{"REV",4}  {"OUTCOME",-9} {"COMMIT",-12} {"STRATEGY",-10} {"WHEN",-20} {"DEPLOYMENT",-36} NOTE");
            foreach (var r in JsonSerializer.Deserialize<List<RevisionView>>(raw, RadClient.Json)!)
                Console.Out.WriteLine($"{r.Revision,4}{(r.Current ? "*" : " ")} {r.Outcome,-9} {r.Commit[..Math.Min(12, r.Commit.Length)],-12} {r.Strategy,-10} " +
                                      $"{r.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-20} {r.DeploymentId,-36} {r.Note}");
            return ExitCodes.Succeeded;
        }, token));
        return history;
    }
}
