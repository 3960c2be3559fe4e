using MassTransit;
using Rad.Contracts;

namespace Rad.Builder;

/// <summary>
/// A deployment ended (succeeded, failed, or superseded): its builds still running here stop and free their slots,
/// and its builds still queued will not start. Every builder instance hears it on a queue of its own.
/// </summary>
public sealed class EndedDeploymentConsumer(DeploymentBuilds builds, ILogger<EndedDeploymentConsumer> logger) : IConsumer<DeploymentFinished>
{
    public Task Consume(ConsumeContext<DeploymentFinished> context)
    {
        var cancelled = builds.End(context.Message.DeploymentId);
        if (cancelled > 0)
            logger.LogInformation("Deployment {DeploymentId} ended ({Outcome}): cancelling its {Count} running build(s)",
                context.Message.DeploymentId, context.Message.Succeeded ? "succeeded" : "failed or superseded", cancelled);
        return Task.CompletedTask;
    }
}
