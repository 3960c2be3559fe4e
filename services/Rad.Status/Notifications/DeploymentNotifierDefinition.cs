using MassTransit;
using Rad.Status.Persistence;

namespace Rad.Status.Notifications;

public sealed class DeploymentNotifierDefinition : ConsumerDefinition<DeploymentNotifier>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<DeploymentNotifier> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseDatabaseOutageRetry();
}
