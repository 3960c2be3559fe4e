using MassTransit;
using Rad.Hosting;

namespace Rad.Status.Saga;

public class DeploymentStateMachineDefinition : SagaDefinition<DeploymentState>
{
    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<DeploymentState> sagaConfigurator,
        IRegistrationContext context)
    {
        // Concurrent events of one deployment meet at its row lock; a loser of an insert race retries and loads the winner's row.
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.IgnoreOutages();
            retry.Intervals(50, 100, 250, 500, 1000);
        });
        // Commands go out only after the saga row is committed, so a retried message never publishes twice.
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
