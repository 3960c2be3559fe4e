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

    public Task<DeployResult> DeployAsync(DeployApplication command, IRolloutProgress progress, CancellationToken token) =>
        deployer.DeployAsync(command, cluster, progress, token);

    public async Task RemoveAsync(RemoveApplication command, CancellationToken token)
    {
        var ns = command.Namespace ?? cluster.Namespace;
        try
        {
            using var client = clients.Connect(cluster);
            foreach (var deployment in await ApplicationObjectsAsync(client, "apps/v1", "Deployment", ns, command.ApplicationName, token))
                await client.DeleteAsync("apps/v1", "Deployment", ns, deployment, token);
            await client.DeleteAsync("v1", "Service", ns, command.ApplicationName, token);
        }
        catch (Exception e) when (e is KubernetesApiException or KubeconfigException)
        {
            throw new DeploymentFailedException($"{cluster}: {e.Message}");
        }
    }

    public async Task<IReadOnlyList<RunningApplication>> DescribeAsync(CancellationToken token)
    {
        using var client = clients.Connect(cluster);
        var list = await client.ListAsync("apps/v1", "Deployment", cluster.Namespace, $"{Manifests.ManagedByLabel}=rad", null, token);
        return (list["items"] as System.Text.Json.Nodes.JsonArray ?? []).OfType<System.Text.Json.Nodes.JsonObject>()
            .GroupBy(d => d["metadata"]?["labels"]?[Manifests.NameLabel]?.GetValue<string>() ?? d["metadata"]!["name"]!.GetValue<string>())
            .Select(g => new RunningApplication(g.Key,
                g.Sum(d => d["spec"]?["replicas"]?.GetValue<int>() ?? 0),
                g.Sum(d => d["status"]?["replicas"]?.GetValue<int>() ?? 0),
                g.Sum(d => d["status"]?["availableReplicas"]?.GetValue<int>() ?? 0),
                g.Select(d => d["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"]?.GetValue<string>()).FirstOrDefault(i => i is not null),
                null))
            .ToList();
    }

    /// <summary>The names of the application's objects of a kind (its Deployment, or the Deployments of its slots).</summary>
    static async Task<IReadOnlyList<string>> ApplicationObjectsAsync(IKubernetesApi client, string apiVersion, string kind, string ns, string application,
        CancellationToken token)
    {
        var list = await client.ListAsync(apiVersion, kind, ns, $"{Manifests.NameLabel}={application},{Manifests.ManagedByLabel}=rad", null, token);
        return (list["items"] as System.Text.Json.Nodes.JsonArray ?? []).OfType<System.Text.Json.Nodes.JsonObject>()
            .Select(o => o["metadata"]!["name"]!.GetValue<string>()).ToList();
    }
}
