using MassTransit;
using Rad.Contracts;
using Rad.Status.Persistence;
using Rad.Status.Saga;

namespace Rad.Status.Notifications;

/// <summary>
/// Notices a deployment starting (the DeploymentProgressed that opens its cluster stage) or ending (its DeploymentFinished,
/// which the saga publishes at every final transition, even one that changes no stage) on this consumer's own durable
/// queue, which all status instances share, so each message is handled once; and asks for one delivery per target that
/// wants that event. Asking twice (a redelivered message) is harmless: a delivery is made once.
/// </summary>
public sealed class DeploymentNotifier(NotificationStore store, DeploymentQueries deployments, ILogger<DeploymentNotifier> logger)
    : IConsumer<DeploymentProgressed>, IConsumer<DeploymentFinished>
{
    public Task Consume(ConsumeContext<DeploymentProgressed> context) =>
        NotificationEvents.IsStart(context.Message) ? RequestDeliveriesAsync(context, context.Message.DeploymentId, NotificationEvents.Started) : Task.CompletedTask;

    public async Task Consume(ConsumeContext<DeploymentFinished> context)
    {
        var id = context.Message.DeploymentId;
        // The saga commits its row before the message leaves, so the stored state is the final one.
        var state = await deployments.FindAsync(id, context.CancellationToken) is { } snapshot ? PublicState.Of(snapshot.Saga.CurrentState) : null;
        if (state is null || NotificationEvents.OfEnd(state) is not { } @event)
            throw new InvalidOperationException($"deployment {id} finished but is stored as {state ?? "unknown"}");
        await RequestDeliveriesAsync(context, id, @event);
    }

    async Task RequestDeliveriesAsync(ConsumeContext context, Guid deploymentId, string @event)
    {
        var targets = await store.SubscribedToAsync(@event, context.CancellationToken);
        foreach (var target in targets)
            await context.Publish(new DeliverNotification(target.Id, deploymentId, @event), context.CancellationToken);
        if (targets.Count > 0)
            logger.LogInformation("Deployment {DeploymentId} {Event}: notifying {Count} target(s)", deploymentId, @event, targets.Count);
    }
}
