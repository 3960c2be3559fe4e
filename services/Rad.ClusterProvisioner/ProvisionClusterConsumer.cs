using MassTransit;
using Rad.Clusters;
using Rad.Clusters.Kubernetes;
using Rad.Contracts;

namespace Rad.ClusterProvisioner;

/// <summary>
/// Makes sure a deployment's cluster answers and RAD's place in it exists, creating what is missing. A Cluster API
/// cluster still being created is waited for in steps of Rad:ClusterApi:StepDuration: each step that ends before the
/// cluster is ready sends the command again, with when the creation began, and lets its message go.
/// </summary>
public sealed class ProvisionClusterConsumer(ClusterCatalog clusters, ClusterRegistry registry, ClusterApiProvisioner clusterApi,
    ILogger<ProvisionClusterConsumer> logger) : IConsumer<ProvisionCluster>
{
    public async Task Consume(ConsumeContext<ProvisionCluster> context)
    {
        var command = context.Message;
        var token = context.CancellationToken;
        Task Progress(string phase, TimeSpan elapsed) => context.Publish(new ClusterProvisioningProgressed(command.DeploymentId, command.Cluster, phase, elapsed));
        try
        {
            var created = false;
            if (command.Cluster != LocalCluster.Name
                && await registry.FindAsync(command.Cluster, token) is { Kind: RegisteredCluster.ClusterApiKind, Provisioned: false } pending)
            {
                var since = command.ProvisioningSince ?? DateTimeOffset.UtcNow;
                var step = System.Diagnostics.Stopwatch.StartNew();
                if (await clusterApi.StepAsync(pending, command.ProvisioningSince, Progress, token) is null)
                {
                    logger.LogInformation("Cluster {Cluster} still provisioning for deployment {DeploymentId} after step {Step} ({StepSeconds:0.0} s, {Elapsed:0} s in all); it goes on in a new step",
                        command.Cluster, command.DeploymentId, command.Step + 1, step.Elapsed.TotalSeconds, (DateTimeOffset.UtcNow - since).TotalSeconds);
                    await context.Publish(command with { ProvisioningSince = since, Step = command.Step + 1 });
                    return;
                }
                created = true;
            }
            if (await clusters.FindAsync(command.Cluster, token) is not { } cluster)
            {
                await context.Publish(new ClusterProvisioningFailed(command.DeploymentId, command.Cluster,
                    $"cluster '{command.Cluster}' is not known to this installation; the clusters it can deploy to are: {string.Join(", ", await clusters.NamesAsync(token))} (register one with rad clusters add)"));
                return;
            }
            var place = await cluster.EnsureAsync(Progress, token);
            logger.LogInformation("Cluster {Cluster} is ready for deployment {DeploymentId} (created: {Created})", command.Cluster, command.DeploymentId, created || place.Created);
            await context.Publish(new ClusterReady(command.DeploymentId, command.Cluster, place.Network, place.Namespace, created || place.Created));
        }
        catch (ClusterProvisioningException e)
        {
            await context.Publish(new ClusterProvisioningFailed(command.DeploymentId, command.Cluster, e.Message));
        }
    }
}
