using Rad.Clusters;
using Rad.Clusters.Swarm;
using Rad.Contracts;
using Rad.Hosting;

namespace Rad.Deployer;

public static class DeployerRegistration
{
    /// <summary>The deployer: DeployApplication through the cluster catalog; on the local Swarm it asks the edge what it sees, and removes blue-green previous sets (Swarm and Kubernetes) once kept long enough.</summary>
    public static WebApplicationBuilder AddDeployer(this WebApplicationBuilder builder)
    {
        builder.AddRadService("deployer", bus =>
        {
            bus.AddConsumer<DeployApplicationConsumer>();
            bus.AddConsumer<CheckReplicaBudgetConsumer>();
            bus.AddConsumer<RemoveApplicationConsumer>();
            bus.AddConsumer<DescribeApplicationsConsumer>();
            bus.AddRequestClient<GetEdgeStats>();
        });
        builder.Services.AddRadClusters(builder.Configuration);
        // Rollouts on the local Swarm look at a service's tasks again as soon as one of its containers starts or dies.
        builder.Services.AddHostedService(provider => provider.GetRequiredService<ContainerEvents>());
        builder.Services.AddHostedService<RetiredSlotSweeper>();
        builder.Services.AddHostedService<Rad.Clusters.Kubernetes.PreviousSlotSweeper>();
        return builder;
    }
}
