using Docker.DotNet;
using MassTransit;
using Rad.Clusters;
using Rad.Contracts;

namespace Rad.Deployer;

/// <summary>Removes an application that a failed release created; removing one that is gone already succeeds.</summary>
public sealed class RemoveApplicationConsumer(ClusterCatalog clusters, ILogger<RemoveApplicationConsumer> logger) : IConsumer<RemoveApplication>
{
    public async Task Consume(ConsumeContext<RemoveApplication> context)
    {
        var command = context.Message;
        try
        {
            var cluster = await clusters.FindAsync(command.Cluster, context.CancellationToken)
                          ?? throw new DeploymentFailedException($"cluster '{command.Cluster}' was removed while this deployment ran");
            await cluster.RemoveAsync(command, context.CancellationToken);
            logger.LogInformation("Removed {Application} from {Cluster} for deployment {DeploymentId}", command.ApplicationName, command.Cluster, command.DeploymentId);
            await context.Publish(new ApplicationRemoved(command.DeploymentId, command.ApplicationName));
        }
        catch (Exception e) when (e is DeploymentFailedException or DockerApiException)
        {
            await context.Publish(new ApplicationRemovalFailed(command.DeploymentId, command.ApplicationName, e.Message));
        }
    }
}
