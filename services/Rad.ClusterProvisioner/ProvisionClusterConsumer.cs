using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Clusters;
using Rad.Contracts;

namespace Rad.ClusterProvisioner;

public sealed class ProvisionClusterConsumer(LocalSwarm swarm, ClusterRegistry registry, KubernetesClusters kubernetes, ClusterApiProvisioner clusterApi,
    IOptions<LocalSwarmOptions> options, ILogger<ProvisionClusterConsumer> logger) : IConsumer<ProvisionCluster>
{
    public async Task Consume(ConsumeContext<ProvisionCluster> context)
    {
        var command = context.Message;
        var local = options.Value;
        if (command.Cluster != local.ClusterName)
        {
            await ProvisionRegisteredAsync(context, command, local);
            return;
        }
        try
        {
            var created = await swarm.EnsureAsync(context.CancellationToken);
            logger.LogInformation("Cluster {Cluster} is ready for deployment {DeploymentId} (created: {Created})", command.Cluster, command.DeploymentId, created);
            await context.Publish(new ClusterReady(command.DeploymentId, command.Cluster, Network: local.Network, Namespace: null, created));
        }
        catch (ClusterProvisioningException e)
        {
            await context.Publish(new ClusterProvisioningFailed(command.DeploymentId, command.Cluster, e.Message));
        }
    }

    async Task ProvisionRegisteredAsync(ConsumeContext<ProvisionCluster> context, ProvisionCluster command, LocalSwarmOptions local)
    {
        if (await registry.FindAsync(command.Cluster, context.CancellationToken) is not { } cluster)
        {
            var known = (await registry.ListAsync(context.CancellationToken)).Select(c => c.Name).Prepend(local.ClusterName);
            await context.Publish(new ClusterProvisioningFailed(command.DeploymentId, command.Cluster,
                $"cluster '{command.Cluster}' is not known to this installation; the clusters it can deploy to are: {string.Join(", ", known)} (register one with rad clusters add)"));
            return;
        }
        try
        {
            var created = false;
            if (cluster is { Kind: RegisteredCluster.ClusterApiKind, Provisioned: false })
            {
                cluster = await clusterApi.ProvisionAsync(cluster, (phase, elapsed) =>
                    context.Publish(new ClusterProvisioningProgressed(command.DeploymentId, command.Cluster, phase, elapsed)), context.CancellationToken);
                created = true;
            }
            var ns = await kubernetes.EnsureAsync(cluster, context.CancellationToken);
            await context.Publish(new ClusterReady(command.DeploymentId, command.Cluster, Network: null, Namespace: ns, created));
        }
        catch (ClusterProvisioningException e)
        {
            await context.Publish(new ClusterProvisioningFailed(command.DeploymentId, command.Cluster, e.Message));
        }
    }
}
