using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Contracts;

namespace Rad.ClusterProvisioner;

public sealed class ProvisionClusterConsumer(LocalSwarm swarm, IOptions<LocalSwarmOptions> options, ILogger<ProvisionClusterConsumer> logger)
    : IConsumer<ProvisionCluster>
{
    public async Task Consume(ConsumeContext<ProvisionCluster> context)
    {
        var command = context.Message;
        var local = options.Value;
        if (command.Cluster != local.ClusterName)
        {
            await context.Publish(new ClusterProvisioningFailed(command.DeploymentId, command.Cluster,
                $"cluster '{command.Cluster}' is not known to this installation; the clusters it can deploy to are: {local.ClusterName}"));
            return;
        }
        try
        {
            var created = await swarm.EnsureAsync(context.CancellationToken);
            logger.LogInformation("Cluster {Cluster} is ready for deployment {DeploymentId} (created: {Created})", command.Cluster, command.DeploymentId, created);
            await context.Publish(new ClusterReady(command.DeploymentId, command.Cluster, local.Network, created));
        }
        catch (ClusterProvisioningException e)
        {
            await context.Publish(new ClusterProvisioningFailed(command.DeploymentId, command.Cluster, e.Message));
        }
    }
}
