using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Contracts;

namespace Rad.Cloner;

/// <summary>Removes a deployment's checkout once the deployment is over; the images hold everything built from it.</summary>
public sealed class DeploymentFinishedConsumer(IOptions<ClonerOptions> options, ILogger<DeploymentFinishedConsumer> logger) : IConsumer<DeploymentFinished>
{
    public Task Consume(ConsumeContext<DeploymentFinished> context)
    {
        var target = Path.Combine(options.Value.Workspace, context.Message.DeploymentId.ToString("N"));
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
            logger.LogInformation("Removed checkout {Path} of finished deployment {DeploymentId}", target, context.Message.DeploymentId);
        }
        return Task.CompletedTask;
    }
}
