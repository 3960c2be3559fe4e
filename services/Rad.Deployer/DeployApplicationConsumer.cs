using Docker.DotNet;
using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Clusters;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Deployer;

/// <summary>
/// Deploys one application to its cluster by its rollout strategy, reporting each step. Idempotent by comparison with
/// what runs: a redelivered command finds the application already at this image and spec and only waits for it.
/// A rollback or a restore first makes sure the registry still holds the earlier revision's image.
/// </summary>
public sealed class DeployApplicationConsumer(ClusterCatalog clusters, RegistryInspector registry, IOptions<RegistryCredentials> credentials,
    IOptions<DeployerOptions> options, ReplicaBudget budget, ILogger<DeployApplicationConsumer> logger) : IConsumer<DeployApplication>
{
    public async Task Consume(ConsumeContext<DeployApplication> context)
    {
        var command = context.Message;
        try
        {
            var cluster = await clusters.FindAsync(command.Cluster, context.CancellationToken)
                          ?? throw new DeploymentFailedException($"cluster '{command.Cluster}' was removed while this deployment ran");
            // Every task runs with limits: rad.json's, else the deployer's defaults.
            command = EffectiveResources.Apply(command, options.Value);
            // A restore brings back what ran before this release, so it is never refused for the budget.
            using var claim = command.Purpose == DeployPurposes.Restore
                ? null
                : await budget.ClaimAsync(command.Cluster, cluster, command.Application.Name, command.Application.Replicas, context.CancellationToken);
            if (command.Purpose != DeployPurposes.Deploy)
                await EnsureImageInRegistryAsync(command, context.CancellationToken);
            var result = await cluster.DeployAsync(command, new Progress(context), context.CancellationToken);
            logger.LogInformation("{Application} runs {Replicas} replica(s) at {Endpoint} for deployment {DeploymentId}",
                command.Application.Name, result.RunningReplicas, result.Endpoint, command.DeploymentId);
            await context.Publish(new ApplicationDeployed(command.DeploymentId, command.Application.Name, result.Endpoint, result.RunningReplicas, result.Changed));
        }
        catch (Exception e) when (e is DeploymentFailedException or DockerApiException)
        {
            logger.LogWarning("Deploying {Application} failed for deployment {DeploymentId}: {Reason}", command.Application.Name, command.DeploymentId, e.Message);
            await context.Publish(new ApplicationDeploymentFailed(command.DeploymentId, command.Application.Name, e.Message,
                e is DeploymentFailedException { Changed: true }));
        }
    }

    async Task EnsureImageInRegistryAsync(DeployApplication command, CancellationToken token)
    {
        var (digest, problem) = await registry.DigestAsync(command.ImageReference, credentials.Value.ReadAuth(command.ImageReference), token);
        if (digest is null)
            throw new DeploymentFailedException($"image {command.ImageReference} is gone from the registry ({problem}); it cannot be deployed again");
    }

    sealed class Progress(ConsumeContext<DeployApplication> context) : IRolloutProgress
    {
        public Task StepAsync(string step, string state, string? message) =>
            context.Publish(new ApplicationRolloutStepped(context.Message.DeploymentId, context.Message.Application.Name, step, state, message));
    }
}
