using MassTransit;

namespace Rad.Status.Queue;

public sealed class DeploymentQueueConsumerDefinition : ConsumerDefinition<DeploymentQueueConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<DeploymentQueueConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // Answers go out only after the queue row is committed: a retried message never announces a state that was rolled back.
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
