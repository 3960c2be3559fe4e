using Rad.Clusters;
using Rad.Hosting;

namespace Rad.ClusterProvisioner;

public static class ProvisionerRegistration
{
    /// <summary>The cluster provisioner: ProvisionCluster and DeleteCluster through the cluster catalog, and the Swarm network check at start-up.</summary>
    public static WebApplicationBuilder AddClusterProvisioner(this WebApplicationBuilder builder)
    {
        builder.AddRadService("cluster-provisioner", bus =>
        {
            bus.AddConsumer<ProvisionClusterConsumer>();
            bus.AddConsumer<DeleteClusterConsumer>();
        });
        builder.Services.AddRadClusters(builder.Configuration);
        builder.Services.AddHostedService<StartupHeal>();
        return builder;
    }
}
