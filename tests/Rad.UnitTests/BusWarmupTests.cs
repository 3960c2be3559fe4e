using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
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

public class BusWarmupSendTests
{
    sealed class RepositoryClonedConsumer : IConsumer<RepositoryCloned>
    {
        public Task Consume(ConsumeContext<RepositoryCloned> context) => Task.CompletedTask;
    }

    [Fact]
    public async Task The_warm_up_sends_each_type_once_to_the_sink_and_nothing_reaches_a_consumer()
    {
        await using var provider = new ServiceCollection()
            .AddLogging()
            .AddMassTransitTestHarness(x => x.AddConsumer<RepositoryClonedConsumer>())
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        await new BusWarmup(harness.Bus, NullLogger<BusWarmup>.Instance).StartAsync(CancellationToken.None);

        var sent = harness.Sent.Select(_ => true).ToList();
        Assert.Equal(BusWarmup.MessageTypes.Count, sent.Count);
        Assert.Equal(BusWarmup.MessageTypes.ToHashSet(), sent.Select(m => m.MessageType).ToHashSet());
        Assert.All(sent, m => Assert.EndsWith("/rad-warmup", m.Context.DestinationAddress!.AbsolutePath));
        Assert.False(await harness.Published.Any());
        // A consumer of a warmed type gets nothing: the sink is bound to no queue.
        await Task.Delay(200);
        Assert.False(await harness.Consumed.Any<RepositoryCloned>());
    }
}
