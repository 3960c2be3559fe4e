using Rad.Clusters;
using Rad.Kubernetes;

namespace Rad.ClusterProvisioner;

/// <summary>A registered Kubernetes cluster is ready when its API server answers with its credentials and RAD's namespace exists (created if missing).</summary>
public sealed class KubernetesClusters(IKubernetesClientFactory clients, ILogger<KubernetesClusters> logger)
{
    public async Task<string> EnsureAsync(RegisteredCluster cluster, CancellationToken token)
    {
        try
        {
            using var client = clients.Connect(cluster);
            var version = await client.VersionAsync(token);
            await client.ApplyAsync(Manifests.Namespace(cluster.Namespace), token);
            logger.LogInformation("{Cluster} answers (Kubernetes {Version}); namespace {Namespace} is there", cluster, version, cluster.Namespace);
            return cluster.Namespace;
        }
        catch (Exception e) when (e is KubernetesApiException or KubeconfigException)
        {
            throw new ClusterProvisioningException($"{cluster}: {e.Message}");
        }
    }
}
