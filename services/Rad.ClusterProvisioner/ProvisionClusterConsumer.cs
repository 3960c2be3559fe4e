using MassTransit;
using Rad.Clusters;
using Rad.Contracts;

namespace Rad.ClusterProvisioner;

/// <summary>Makes sure a deployment's cluster answers and RAD's place in it exists, creating what is missing.</summary>
public sealed class ProvisionClusterConsumer(ClusterCatalog clusters, ILogger<ProvisionClusterConsumer> logger) : IConsumer<ProvisionCluster>
{
    public async Task Consume(ConsumeContext<ProvisionCluster> context)
    {
        var command = context.Message;
        var token = context.CancellationToken;
        if (await clusters.FindAsync(command.Cluster, token) is not { } cluster)
        {
            await context.Publish(new ClusterProvisioningFailed(command.DeploymentId, command.Cluster,
                $"cluster '{command.Cluster}' is not known to this installation; the clusters it can deploy to are: {string.Join(", ", await clusters.NamesAsync(token))} (register one with rad clusters add)"));
            return;
        }
        try
        {
            var place = await cluster.EnsureAsync((phase, elapsed) =>
                context.Publish(new ClusterProvisioningProgressed(command.DeploymentId, command.Cluster, phase, elapsed)), token);
            logger.LogInformation("Cluster {Cluster} is ready for deployment {DeploymentId} (created: {Created})", command.Cluster, command.DeploymentId, place.Created);
            await context.Publish(new ClusterReady(command.DeploymentId, command.Cluster, place.Network, place.Namespace, place.Created));
        }
        catch (ClusterProvisioningException e)
        {
            await context.Publish(new ClusterProvisioningFailed(command.DeploymentId, command.Cluster, e.Message));
        }
    }
}
