using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Docker;
using Rad.Kubernetes;

namespace Rad.Clusters.Kubernetes;

/// <summary>
/// Deploys one application to a registered Kubernetes cluster: server-side apply (field manager rad) of its namespace,
/// an imagePullSecret when RAD has credentials for the image's registry, its Deployment and its Service; then follows
/// the rollout by watching until the new generation is available, or names why it is not.
/// </summary>
public sealed class KubernetesDeployer(IKubernetesClientFactory clients, IOptions<RegistryCredentials> registries, IOptions<DeployerOptions> options,
    ILogger<KubernetesDeployer> logger)
{
    public async Task<DeployResult> DeployAsync(DeployApplication command, RegisteredCluster cluster, IRolloutProgress progress, CancellationToken token)
    {
        var application = command.Application;
        var ns = command.Namespace ?? cluster.Namespace;
        try
        {
            using var client = clients.Connect(cluster);
            var before = await client.GetAsync("apps/v1", "Deployment", ns, application.Name, token);
            var login = registries.Value.For(command.ImageReference);
            var credentials = login is null ? null : new PullCredentials(login.Server, login.Username, login.Password);
            JsonObject? service = null;
            JsonObject? deployment = null;
            foreach (var manifest in Manifests.ForApplication(ns, application, command.ImageReference, command.Commit, credentials))
            {
                var applied = await client.ApplyAsync(manifest, token);
                if (manifest["kind"]!.GetValue<string>() == "Service")
                    service = applied;
                if (manifest["kind"]!.GetValue<string>() == "Deployment")
                    deployment = applied;
            }
            var changed = before?["metadata"]?["generation"]?.GetValue<long>() != deployment?["metadata"]?["generation"]?.GetValue<long>();
            logger.LogInformation("Applied {Application} to {Cluster} (generation {Generation}{Change}); following its rollout",
                application.Name, cluster, deployment?["metadata"]?["generation"]?.GetValue<long>(), changed ? "" : ", unchanged");
            var ready = await new RolloutTracker(client).WaitAsync(ns, application.Name, options.Value.RolloutTimeout, token);
            return new DeployResult(Endpoint(cluster, application, service), ready, changed);
        }
        catch (Exception e) when (e is KubernetesApiException or KubeconfigException or RolloutFailedException)
        {
            throw new DeploymentFailedException($"{cluster}: {e.Message}");
        }
    }

    /// <summary>Where the application answers: a load balancer's address, a node port (on the API server's host, where nodes usually are for single-node clusters), or the in-cluster name.</summary>
    static string Endpoint(RegisteredCluster cluster, ApplicationSpec application, JsonObject? service)
    {
        var inCluster = $"http://{application.Name}.{cluster.Namespace}.svc.cluster.local:{application.Port}";
        var type = service?["spec"]?["type"]?.GetValue<string>();
        var ingress = service?["status"]?["loadBalancer"]?["ingress"]?[0];
        if (type == "LoadBalancer" && (ingress?["ip"] ?? ingress?["hostname"])?.GetValue<string>() is { } address)
            return $"http://{address}:{application.Port}";
        if (type == "NodePort" && service?["spec"]?["ports"]?[0]?["nodePort"]?.GetValue<int>() is { } nodePort)
            return $"http://{new Uri(cluster.Server).Host}:{nodePort}";
        return inCluster;
    }
}
