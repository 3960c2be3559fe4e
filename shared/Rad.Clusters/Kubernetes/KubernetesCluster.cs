using System.Text.Json.Nodes;
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
            foreach (var deployment in await NamesAsync(client, "apps/v1", "Deployment", ns, command.ApplicationName, token))
                await client.DeleteAsync("apps/v1", "Deployment", ns, deployment, token);
            await client.DeleteAsync("v1", "Service", ns, command.ApplicationName, token);
        }
        catch (Exception e) when (e is KubernetesApiException or KubeconfigException)
        {
            throw new DeploymentFailedException($"{cluster}: {e.Message}");
        }
    }

    /// <summary>
    /// Per application, across the Deployments its Service selects (the main one and a canary, or the serving
    /// blue-green slot): replicas wanted, pods running, pods ready (passing the readiness probe, i.e. the health
    /// check), and the image of the Deployment with the most ready pods.
    /// </summary>
    public async Task<IReadOnlyList<RunningApplication>> DescribeAsync(CancellationToken token)
    {
        using var client = clients.Connect(cluster);
        var ns = cluster.Namespace;
        var managed = $"{Manifests.ManagedByLabel}=rad";
        var deployments = Items(await client.ListAsync("apps/v1", "Deployment", ns, managed, null, token));
        var services = Items(await client.ListAsync("v1", "Service", ns, managed, null, token));
        var pods = Items(await client.ListAsync("v1", "Pod", ns, managed, null, token)).Where(p => p["metadata"]?["deletionTimestamp"] is null).ToList();
        var result = new List<RunningApplication>();
        foreach (var group in deployments.GroupBy(d => d["metadata"]?["labels"]?[Manifests.NameLabel]?.GetValue<string>() ?? d["metadata"]!["name"]!.GetValue<string>()))
        {
            var service = services.FirstOrDefault(s => s["metadata"]?["name"]?.GetValue<string>() == group.Key);
            var selector = service?["spec"]?["selector"] as JsonObject ?? Manifests.Selector(group.Key, null);
            var serving = group.Where(d => Selects(selector, d["spec"]?["template"]?["metadata"]?["labels"] as JsonObject)).ToList();
            var selected = pods.Where(p => Selects(selector, p["metadata"]?["labels"] as JsonObject)).ToList();
            var image = serving
                .OrderByDescending(d => d["status"]?["readyReplicas"]?.GetValue<int>() ?? 0)
                .ThenBy(d => d["spec"]?["template"]?["metadata"]?["labels"]?[Manifests.SlotLabel]?.GetValue<string>() == Manifests.Canary ? 1 : 0)
                .Select(ApplicationObjects.Image).FirstOrDefault();
            var endpoint = service?["spec"]?["ports"]?[0]?["port"]?.GetValue<int>() is { } port
                ? KubernetesDeployer.Endpoint(cluster, ns, group.Key, port, service)
                : null;
            result.Add(new RunningApplication(group.Key,
                serving.Sum(ApplicationObjects.Replicas),
                selected.Count(p => p["status"]?["phase"]?.GetValue<string>() == "Running"),
                selected.Count(Ready),
                image,
                endpoint));
        }
        return result;
    }

    static List<JsonObject> Items(JsonObject list) => (list["items"] as JsonArray ?? []).OfType<JsonObject>().ToList();

    static bool Selects(JsonObject selector, JsonObject? labels) =>
        labels is not null && selector.All(s => labels[s.Key]?.GetValue<string>() == s.Value?.GetValue<string>());

    static bool Ready(JsonObject pod) =>
        (pod["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Any(c => c["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True");

    /// <summary>The names of the application's objects of a kind (its Deployment, or the Deployments of its slots).</summary>
    static async Task<IReadOnlyList<string>> NamesAsync(IKubernetesApi client, string apiVersion, string kind, string ns, string application,
        CancellationToken token)
    {
        var list = await client.ListAsync(apiVersion, kind, ns, $"{Manifests.NameLabel}={application},{Manifests.ManagedByLabel}=rad", null, token);
        return (list["items"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(o => o["metadata"]!["name"]!.GetValue<string>()).ToList();
    }
}
