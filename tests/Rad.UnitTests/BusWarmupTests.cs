using Rad.Contracts;
using Rad.Hosting;
using Xunit;

namespace Rad.UnitTests;

public class BusWarmupTests
{
    [Fact]
    public void The_warm_up_covers_every_message_of_a_deployment_and_nothing_else()
    {
        Assert.Subset(BusWarmup.MessageTypes.ToHashSet(),
            new HashSet<Type>
            {
                typeof(RequestDeployment), typeof(CloneRepository), typeof(RepositoryCloned), typeof(ProvisionCluster), typeof(ClusterReady),
                typeof(BuildImage), typeof(ImageBuilt), typeof(DeployApplication), typeof(ApplicationDeployed), typeof(DeploymentProgressed),
                typeof(EnterDeploymentQueue), typeof(DeploymentMayStart), typeof(LeaveDeploymentQueue), typeof(DeploymentFinished),
            });
        Assert.All(BusWarmup.MessageTypes, t => Assert.True(typeof(IDeploymentMessage).IsAssignableFrom(t) && !t.IsAbstract, t.Name));
        // Payloads carried inside messages are warmed through them; no exchange is declared for them.
        Assert.DoesNotContain(typeof(ApplicationSpec), BusWarmup.MessageTypes);
    }

    [Fact]
    public void Every_message_type_round_trips_through_MassTransit_serializer()
    {
        Assert.Empty(BusWarmup.WarmSerializers());
    }
}
