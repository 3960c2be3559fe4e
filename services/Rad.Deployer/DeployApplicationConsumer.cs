using Docker.DotNet;
using MassTransit;
using Rad.Clusters;
using Rad.Contracts;

namespace Rad.Deployer;

/// <summary>
/// Deploys one application to its cluster. Idempotent by comparison with what runs: a redelivered command finds the
/// application already at this image and replica count and only waits for it, without rolling it out again.
/// </summary>
public sealed class DeployApplicationConsumer(ClusterCatalog clusters, ILogger<DeployApplicationConsumer> logger) : IConsumer<DeployApplication>
{
    public async Task Consume(ConsumeContext<DeployApplication> context)
    {
        var command = context.Message;
        try
        {
            var cluster = await clusters.FindAsync(command.Cluster, context.CancellationToken)
                          ?? throw new DeploymentFailedException($"cluster '{command.Cluster}' was removed while this deployment ran");
            var result = await cluster.DeployAsync(command, context.CancellationToken);
            logger.LogInformation("{Application} runs {Replicas} replica(s) at {Endpoint} for deployment {DeploymentId}",
                command.Application.Name, result.RunningReplicas, result.Endpoint, command.DeploymentId);
            await context.Publish(new ApplicationDeployed(command.DeploymentId, command.Application.Name, result.Endpoint, result.RunningReplicas, result.Changed));
        }
        catch (Exception e) when (e is DeploymentFailedException or DockerApiException)
        {
            logger.LogWarning("Deploying {Application} failed for deployment {DeploymentId}: {Reason}", command.Application.Name, command.DeploymentId, e.Message);
            await context.Publish(new ApplicationDeploymentFailed(command.DeploymentId, command.Application.Name, e.Message));
        }
    }
}
