using MassTransit;
using Rad.Contracts;

namespace Rad.Status.Notifications;

/// <summary>
/// Notices a deployment starting or ending (from its DeploymentProgressed, on this consumer's own durable queue, which all
/// status instances share, so each message is handled once) and asks for one delivery per target that wants that event.
/// Sending the same request twice (a redelivered message) is harmless: a delivery is made once.
/// </summary>
public sealed class DeploymentNotifier(NotificationStore store, ILogger<DeploymentNotifier> logger) : IConsumer<DeploymentProgressed>
{
    public async Task Consume(ConsumeContext<DeploymentProgressed> context)
    {
        if (NotificationEvents.Of(context.Message) is not { } @event)
            return;
        var targets = await store.SubscribedToAsync(@event, context.CancellationToken);
        foreach (var target in targets)
            await context.Publish(new DeliverNotification(target.Id, context.Message.DeploymentId, @event), context.CancellationToken);
        if (targets.Count > 0)
            logger.LogInformation("Deployment {DeploymentId} {Event}: notifying {Count} target(s)", context.Message.DeploymentId, @event, targets.Count);
    }
}
