using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Rad.Clusters;
using Rad.Clusters.Kubernetes;
using Rad.Contracts;
using Rad.Docker;
using Rad.FakeKubernetes;
using Rad.Kubernetes;

namespace Rad.UnitTests.Kubernetes;

/// <summary>RAD's Kubernetes cluster (deployer, describe, remove) against a fake API server of its own, namespace "shop".</summary>
public sealed class KubernetesHarness : IAsyncDisposable
{
    public const string Namespace = "shop";
    KubernetesHarness(FakeKubernetesServer server, RegisteredCluster registered, KubernetesCluster cluster, KubernetesDynamicClient client)
    {
        Server = server;
        Registered = registered;
        Cluster = cluster;
        Client = client;
    }

    public FakeKubernetesServer Server { get; }
    public RegisteredCluster Registered { get; }
    public KubernetesCluster Cluster { get; }

    /// <summary>RAD's own client on the same server, for reading what the deployer left.</summary>
    public KubernetesDynamicClient Client { get; }

    public static async Task<KubernetesHarness> StartAsync(TimeSpan? rolloutTimeout = null)
    {
        var server = await FakeKubernetesServer.StartAsync();
        var context = Kubeconfig.Load(server.Kubeconfig(Namespace));
        var registered = new RegisteredCluster("prod", RegisteredCluster.KubernetesKind, context.Server.ToString(), context.Name, Namespace, context.AuthKind,
            Kubeconfig.Flatten(context), DateTimeOffset.UtcNow);
        var clients = new KubernetesClientFactory();
        var options = Options.Create(new DeployerOptions { RolloutTimeout = rolloutTimeout ?? TimeSpan.FromSeconds(20), PollInterval = TimeSpan.FromMilliseconds(50) });
        var deployer = new KubernetesDeployer(clients, Options.Create(new RegistryCredentials()), options, NullLogger<KubernetesDeployer>.Instance);
        // The registry is only asked for Cluster API clusters, which these tests do not use: nothing connects to it.
        var registry = new ClusterRegistry(NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=none;Database=none"),
            new Rad.Hosting.SealedSecrets(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider()));
        var clusterApi = new ClusterApiProvisioner(registry, clients, Options.Create(new ClusterApiOptions()), NullLogger<ClusterApiProvisioner>.Instance);
        var cluster = new KubernetesCluster(registered, clients, clusterApi, deployer, NullLogger<KubernetesCluster>.Instance);
        return new KubernetesHarness(server, registered, cluster, new KubernetesDynamicClient(context));
    }

    public static ApplicationSpec App(string name = "web", int replicas = 2, RolloutPolicy? rollout = null, HealthCheck? health = null) =>
        new(name, "Dockerfile", ".", replicas, 30080, 8080, Health: health ?? new HealthCheck("/healthz", "2xx", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 1),
            Rollout: rollout);

    public static string Image(string version) => $"registry.test/shop/web@sha256:{version.PadRight(64, '0')}";

    public Task<DeployResult> DeployAsync(ApplicationSpec application, string version, RecordingProgress? progress = null, string purpose = DeployPurposes.Deploy) =>
        Cluster.DeployAsync(new DeployApplication(Guid.NewGuid(), "prod", Network: null, Namespace, "git://example/shop.git", version.PadRight(40, '0'),
            application, Image(version), purpose), progress ?? new RecordingProgress(), CancellationToken.None);

    public JsonObject? Deployment(string name) => Server.Store.Get(ResourceType.Of("Deployment"), Namespace, name);

    public JsonObject? Service(string name = "web") => Server.Store.Get(ResourceType.Of("Service"), Namespace, name);

    public List<JsonObject> Pods(string selectorLabel, string value) =>
        Server.Store.List(ResourceType.Of("Pod"), Namespace).Where(p => p["metadata"]?["labels"]?[selectorLabel]?.GetValue<string>() == value).ToList();

    public List<string> DeploymentNames() =>
        Server.Store.List(ResourceType.Of("Deployment"), Namespace).Select(d => d["metadata"]!["name"]!.GetValue<string>()).Order().ToList();

    public static string? ImageOf(JsonObject? deployment) => deployment?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"]?.GetValue<string>();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
