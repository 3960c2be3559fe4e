using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Docker;
using Rad.Kubernetes;

namespace Rad.Clusters.Kubernetes;

/// <summary>
/// Deploys one application to a registered Kubernetes cluster by its strategy: server-side apply (field manager rad)
/// of its namespace, an imagePullSecret when RAD has pull credentials for the image's path, then its Deployments and
/// Service as <see cref="InPlaceRollout"/> (rolling, recreate), <see cref="BlueGreenRollout"/> or
/// <see cref="CanaryRollout"/> does it, following each rollout by watching. A rollback or restore is the same with the
/// recorded image. Expired blue-green slots of the namespace are swept first.
/// </summary>
public sealed class KubernetesDeployer(IKubernetesClientFactory clients, IOptions<RegistryCredentials> registries, IOptions<DeployerOptions> options,
    ILogger<KubernetesDeployer> logger)
{
    public async Task<DeployResult> DeployAsync(DeployApplication command, RegisteredCluster cluster, IRolloutProgress progress, CancellationToken token)
    {
        var application = command.Application;
        var ns = command.Namespace ?? cluster.Namespace;
        if (Manifests.ProbeProblem(application) is { } problem)
            throw new DeploymentFailedException($"{cluster}: {problem}");
        var health = application.Health ?? HealthCheck.TcpDefault;
        if (Manifests.ProbeIsLooserThanExpect(health))
            logger.LogInformation("{Application}: Kubernetes probes count every status {Range} as success, so health.expect {Expect} is checked as {Range} on {Cluster}",
                application.Name, $"{Manifests.ProbeMinStatus}-{Manifests.ProbeMaxStatus}", health.Expect, $"{Manifests.ProbeMinStatus}-{Manifests.ProbeMaxStatus}", cluster.Name);
        KubernetesRollout? rollout = null;
        try
        {
            using var client = clients.Connect(cluster);
            await client.ApplyAsync(Manifests.Namespace(ns), token);
            await SweepAsync(client, ns, token);
            // Only read-only credentials for this image's path go into the namespace; push credentials never leave RAD.
            var login = registries.Value.Pull(command.ImageReference);
            string? pullSecret = null;
            if (login is not null)
            {
                var secret = await client.ApplyAsync(Manifests.PullSecret(ns, new PullCredentials(login.Host, login.Username, login.Password, login.Prefix)), token);
                pullSecret = secret["metadata"]!["name"]!.GetValue<string>();
            }
            var current = await ApplicationObjects.ReadAsync(client, ns, application.Name, token);
            rollout = new KubernetesRollout(client, command, ns, pullSecret, progress, options.Value, logger, token);
            var strategy = application.Rollout?.Strategy ?? RolloutPolicy.Rolling;
            logger.LogInformation("Deploying {Application} to {Cluster} ({Strategy}, {Purpose}) for deployment {DeploymentId}",
                application.Name, cluster, strategy, command.Purpose, command.DeploymentId);
            var ready = strategy switch
            {
                RolloutPolicy.BlueGreen => await BlueGreenRollout.RunAsync(rollout, current),
                RolloutPolicy.CanaryStrategy => await CanaryRollout.RunAsync(rollout, current),
                _ => await InPlaceRollout.RunAsync(rollout, current),
            };
            return new DeployResult(Endpoint(cluster, ns, application, rollout.Service), ready, rollout.Changed);
        }
        catch (Exception e) when (e is KubernetesApiException or KubeconfigException or RolloutFailedException)
        {
            throw new DeploymentFailedException($"{cluster}: {e.Message}", rollout?.Changed ?? false);
        }
    }

    /// <summary>Blue-green slots kept past their time go first; a cluster that does not let RAD list Services only loses the sweep.</summary>
    async Task SweepAsync(IKubernetesApi client, string ns, CancellationToken token)
    {
        try
        {
            await PreviousSlots.SweepAsync(client, ns, DateTimeOffset.UtcNow, logger, token);
        }
        catch (KubernetesApiException e) when (e.Code == 403)
        {
            logger.LogWarning("Cannot sweep kept blue-green slots in namespace {Namespace}: {Reason}", ns, e.Message);
        }
    }

    /// <summary>Where the application answers: a load balancer's address, a node port (on the API server's host, where nodes usually are for single-node clusters), or the in-cluster name.</summary>
    public static string Endpoint(RegisteredCluster cluster, string ns, ApplicationSpec application, JsonObject? service) =>
        Endpoint(cluster, ns, application.Name, application.Port, service);

    public static string Endpoint(RegisteredCluster cluster, string ns, string name, int port, JsonObject? service)
    {
        var type = service?["spec"]?["type"]?.GetValue<string>();
        var ingress = service?["status"]?["loadBalancer"]?["ingress"]?[0];
        if (type == "LoadBalancer" && (ingress?["ip"] ?? ingress?["hostname"])?.GetValue<string>() is { } address)
            return $"http://{address}:{port}";
        if (type == "NodePort" && service?["spec"]?["ports"]?[0]?["nodePort"]?.GetValue<int>() is { } nodePort)
            return $"http://{new Uri(cluster.Server).Host}:{nodePort}";
        return $"http://{name}.{ns}.svc.cluster.local:{port}";
    }
}
