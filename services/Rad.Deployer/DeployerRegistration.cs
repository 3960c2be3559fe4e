using Rad.Clusters;
using Rad.Contracts;
using Rad.Hosting;

namespace Rad.Deployer;

public static class DeployerRegistration
{
    /// <summary>The deployer: DeployApplication through the cluster catalog; on the local Swarm it asks the edge for its routes.</summary>
    public static WebApplicationBuilder AddDeployer(this WebApplicationBuilder builder)
    {
        builder.AddRadService("deployer", bus =>
        {
            bus.AddConsumer<DeployApplicationConsumer>();
            bus.AddConsumer<RemoveApplicationConsumer>();
            bus.AddConsumer<DescribeApplicationsConsumer>();
            bus.AddRequestClient<SyncEdgeRoutes>();
        });
        builder.Services.AddRadClusters(builder.Configuration);
        builder.Services.AddHostedService<Rad.Clusters.Kubernetes.PreviousSlotSweeper>();
        return builder;
    }
}
