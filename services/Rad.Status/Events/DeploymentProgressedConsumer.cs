using MassTransit;
using Rad.Contracts;
using Rad.Status.Api;

namespace Rad.Status.Events;

/// <summary>Receives every deployment's progress on this instance's own temporary queue, so each status instance serves its own streams.</summary>
public sealed class DeploymentProgressedConsumer(DeploymentEventHub hub, LatestDeployments latest) : IConsumer<DeploymentProgressed>
{
    public Task Consume(ConsumeContext<DeploymentProgressed> context)
    {
        latest.Changed();
        hub.Deliver(context.Message);
        return Task.CompletedTask;
    }
}
