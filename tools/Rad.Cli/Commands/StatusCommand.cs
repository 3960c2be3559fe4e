using System.CommandLine;
using Rad.Contracts;
using static Rad.Cli.Commands.CommandRunner;

namespace Rad.Cli.Commands;

/// <summary>rad status ID [--follow]: exit 1 when the deployment failed or was superseded.</summary>
public static class StatusCommand
{
    public static Argument<Guid> IdArgument() => new("id") { Description = "deployment id" };

    public static Command Create()
    {
        var id = IdArgument();
        var follow = DeployCommand.FollowOption();
        var status = new Command("status", "Show a deployment; with --follow, follow it to its end") { id, follow };
        status.SetAction((result, token) => RunAsync(result, async client =>
        {
            var deploymentId = result.GetValue(id);
            if (result.GetValue(follow))
                return await new Follower(client, Mode(result)).FollowAsync(deploymentId, token);
            var (view, raw) = await client.GetAsync(deploymentId, token);
            if (Mode(result) == OutputMode.Json)
                Console.Out.WriteLine(raw);
            else
                Render.Status(view);
            return view.State is DeploymentStates.Failed or DeploymentStates.Superseded ? ExitCodes.DeploymentFailed : ExitCodes.Succeeded;
        }, token));
        return status;
    }
}
