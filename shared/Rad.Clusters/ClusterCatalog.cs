using Microsoft.Extensions.DependencyInjection;
using Rad.Clusters.Kubernetes;
using Rad.Clusters.Swarm;
using Rad.Contracts;

namespace Rad.Clusters;

/// <summary>The one place a cluster's name becomes a cluster: the local Swarm by its fixed name, else a registered Kubernetes cluster.</summary>
public sealed class ClusterCatalog(IServiceProvider services, ClusterRegistry registry)
{
    /// <summary>The cluster, or null when none of that name is known.</summary>
    public async Task<ICluster?> FindAsync(string name, CancellationToken token)
    {
        if (name == LocalCluster.Name)
            return services.GetRequiredService<SwarmCluster>();
        return await registry.FindAsync(name, token) is { } registered
            ? ActivatorUtilities.CreateInstance<KubernetesCluster>(services, registered)
            : null;
    }

    /// <summary>Every cluster name RAD can deploy to, the local one first.</summary>
    public async Task<IReadOnlyList<string>> NamesAsync(CancellationToken token) =>
        (await registry.ListAsync(token)).Select(c => c.Name).Prepend(LocalCluster.Name).ToList();
}
