using MassTransit;
using Rad.Clusters;
using Rad.Contracts;
using Rad.Kubernetes;

namespace Rad.ClusterProvisioner;

/// <summary>
/// Deletes a cluster RAD created through Cluster API: its objects go from the management cluster (the Cluster first;
/// Cluster API tears down the machines it owns), then its registration. Answers ClusterDeleted, or ClusterDeletionFailed
/// with the management cluster's own words, leaving it registered so the removal can be tried again.
/// </summary>
public sealed class DeleteClusterConsumer(ClusterRegistry registry, IKubernetesClientFactory clients, ILogger<DeleteClusterConsumer> logger)
    : IConsumer<DeleteCluster>
{
    public async Task Consume(ConsumeContext<DeleteCluster> context)
    {
        var name = context.Message.Name;
        var token = context.CancellationToken;
        if (await registry.FindAsync(name, token) is { ClusterApi: { } definition } cluster
            && await registry.FindAsync(definition.Management, token) is { } management)
        {
            try
            {
                using var api = clients.Connect(management);
                await ClusterTemplate.DeleteAsync(api, cluster, management, token);
            }
            catch (Exception e) when (e is KubernetesApiException or KubeconfigException or ClusterTemplate.TemplateException)
            {
                logger.LogWarning("Could not delete the Cluster API objects of {Cluster} in {Management}: {Reason}", name, management, e.Message);
                await context.RespondAsync(new ClusterDeletionFailed(name, $"{cluster} is still registered: deleting its objects in {management} failed: {e.Message}"));
                return;
            }
            logger.LogInformation("Deleted the Cluster API objects of {Cluster} in {Management}", name, management);
        }
        await registry.RemoveAsync(name, token);
        await context.RespondAsync(new ClusterDeleted(name));
    }
}
