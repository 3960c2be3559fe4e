using MassTransit;
using Rad.Contracts;

namespace Rad.Status.Events;

/// <summary>Receives every deployment's progress on this instance's own temporary queue, so each status instance serves its own streams.</summary>
public sealed class DeploymentProgressedConsumer(DeploymentEventHub hub) : IConsumer<DeploymentProgressed>
{
    public Task Consume(ConsumeContext<DeploymentProgressed> context)
    {
        hub.Deliver(context.Message);
        return Task.CompletedTask;
    }
}
