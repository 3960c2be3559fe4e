using System.CommandLine;
using Rad.Contracts;
using static Rad.Cli.Commands.CommandRunner;

namespace Rad.Cli.Commands;

/// <summary>rad deploy REPO: by HTTP or, with --bus, straight onto RabbitMQ; with --follow, live to its end.</summary>
public static class DeployCommand
{
    public static Command Create()
    {
        var repository = new Argument<string>("repository") { Description = "git URL of the repository holding rad.json (or a local path, where RAD allows them)" };
        var gitRef = new Option<string?>("--ref") { Description = "branch, tag or commit (default: the repository's default branch)" };
        var config = new Option<string?>("--config") { Description = "path of rad.json inside the repository (default: rad.json)" };
        var cluster = new Option<string?>("--cluster") { Description = "cluster to deploy to (default: local)" };
        var concurrency = new Option<string?>("--concurrency") { Description = "when a deployment of the same repository and cluster runs: queue (wait) or supersede (replace it)" };
        concurrency.AcceptOnlyFromAmong("queue", "supersede");
        var follow = FollowOption();
        var viaBus = new Option<bool>("--bus") { Description = "publish the deploy command on RabbitMQ instead of calling HTTP (then follow by HTTP)" };
        var force = new Option<bool>("--force") { Description = "also deploy applications pinned by a rollback, and end their pins" };
        var rabbitMq = new Option<string>("--rabbitmq") { Description = "RabbitMQ for --bus (default: $RAD_RABBITMQ or amqp://guest:guest@127.0.0.1:5672/)" };

        var deploy = new Command("deploy", "Deploy the applications of a repository") { repository, gitRef, config, cluster, concurrency, force, follow, viaBus, rabbitMq };
        deploy.SetAction((result, token) => RunAsync(result, async client =>
        {
            var repo = LocalPathOrUrl(result.GetValue(repository)!);
            Guid deploymentId;
            if (result.GetValue(viaBus))
            {
                var rabbit = result.GetValue(rabbitMq) ?? Environment.GetEnvironmentVariable("RAD_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:5672/";
                if (!Uri.TryCreate(rabbit, UriKind.Absolute, out var rabbitUri) || rabbitUri.Scheme is not ("amqp" or "amqps" or "rabbitmq"))
                    throw new CliException("--rabbitmq must be an amqp:// URL such as amqp://guest:guest@127.0.0.1:5672/");
                // The CLI has no key ring to seal them with: on the bus they would travel, and wait in queues, in clear.
                if (RepositoryCredentials.Split(repo).UserInfo is not null)
                    throw new CliException("the repository URL carries credentials, which --bus would publish in clear: deploy without --bus (the API seals them), " +
                                           "or give them to the cloner (Rad__Cloner__Credentials__N__Host, __Username, __Password)");
                deploymentId = await BusDeploy.PublishAsync(rabbitUri, new RequestDeployment(MassTransit.NewId.NextGuid(), repo,
                    result.GetValue(gitRef) ?? DeploymentDefaults.Ref, result.GetValue(config) ?? DeploymentDefaults.ConfigPath,
                    result.GetValue(cluster) ?? DeploymentDefaults.Cluster, DateTimeOffset.UtcNow, result.GetValue(concurrency), Trigger: "cli (bus)",
                    Force: result.GetValue(force)), token);
                if (!result.GetValue(follow))
                {
                    Print(result, $"{{\"id\":\"{deploymentId}\"}}", $"published deployment {deploymentId} on the bus; follow it with: rad status {deploymentId} --follow");
                    return ExitCodes.Succeeded;
                }
            }
            else
            {
                var accepted = await client.DeployAsync(new
                {
                    repository = repo,
                    @ref = result.GetValue(gitRef),
                    configPath = result.GetValue(config),
                    cluster = result.GetValue(cluster),
                    concurrency = result.GetValue(concurrency),
                    force = result.GetValue(force) ? true : (bool?)null,
                }, token);
                deploymentId = System.Text.Json.JsonDocument.Parse(accepted).RootElement.GetProperty("id").GetGuid();
                if (!result.GetValue(follow))
                {
                    Print(result, accepted, $"deployment {deploymentId} accepted; follow it with: rad status {deploymentId} --follow");
                    return ExitCodes.Succeeded;
                }
            }
            if (Mode(result) != OutputMode.Json)
                Console.Error.WriteLine($"deployment {deploymentId}");
            return await new Follower(client, Mode(result)).FollowAsync(deploymentId, token);
        }, token));
        return deploy;
    }

    public static Option<bool> FollowOption() =>
        new("--follow", "-f") { Description = "show each stage live until the deployment ends; exit 0 if it succeeded, 1 if not" };

    // A directory given by a relative path is sent as an absolute one: RAD's cloner does not run in this directory.
    static string LocalPathOrUrl(string repository) =>
        !repository.Contains("://") && !repository.Contains('@') && Directory.Exists(repository) ? Path.GetFullPath(repository) : repository;
}
