using Rad.Contracts;
using Rad.Kubernetes;

namespace Rad.Clusters.Kubernetes;

/// <summary>
/// A registered Kubernetes cluster. Ready when its API server answers with its credentials and RAD's namespace exists
/// (created if missing); a Cluster API cluster is created first, at the first deployment to it.
/// </summary>
public sealed class KubernetesCluster(RegisteredCluster cluster, IKubernetesClientFactory clients, ClusterApiProvisioner clusterApi,
    KubernetesDeployer deployer, ILogger<KubernetesCluster> logger) : ICluster
{
    public async Task<ClusterPlace> EnsureAsync(Func<string, TimeSpan, Task> progress, CancellationToken token)
    {
        var target = cluster;
        var created = false;
        if (target is { Kind: RegisteredCluster.ClusterApiKind, Provisioned: false })
        {
            target = await clusterApi.ProvisionAsync(target, progress, token);
            created = true;
        }
        try
        {
            using var client = clients.Connect(target);
            var version = await client.VersionAsync(token);
            await client.ApplyAsync(Manifests.Namespace(target.Namespace), token);
            logger.LogInformation("{Cluster} answers (Kubernetes {Version}); namespace {Namespace} is there", target, version, target.Namespace);
            return new ClusterPlace(Network: null, Namespace: target.Namespace, created);
        }
        catch (Exception e) when (e is KubernetesApiException or KubeconfigException)
        {
            throw new ClusterProvisioningException($"{target}: {e.Message}");
        }
    }

    public Task<DeployResult> DeployAsync(DeployApplication command, CancellationToken token) => deployer.DeployAsync(command, cluster, token);
}
