using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rad.Clusters;
using Rad.Contracts;
using Rad.Clusters.Kubernetes;
using Rad.Docker;
using Rad.FakeKubernetes;
using Rad.Kubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

/// <summary>The deployer's Kubernetes path against the fake, with registry credentials configured as Rad__Registries__N__... gives them.</summary>
public sealed class KubernetesDeployerTests : IAsyncLifetime
{
    FakeKubernetesServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeKubernetesServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Registry_credentials_become_an_image_pull_secret_the_deployment_uses()
    {
        var registries = new RegistryCredentials { Registries = [new RegistryLogin { Host = "registry.example.com:5000", PathPrefix = "team", Username = "ci", Password = "s3cret", Access = RegistryAccess.Pull }] };
        var deployer = new KubernetesDeployer(new KubernetesClientFactory(), Options.Create(registries), Options.Create(new DeployerOptions { RolloutTimeout = TimeSpan.FromSeconds(20) }),
            NullLogger<KubernetesDeployer>.Instance);
        var context = Kubeconfig.Load(_server.Kubeconfig("shop"));
        var cluster = new RegisteredCluster("prod", RegisteredCluster.KubernetesKind, context.Server.ToString(), context.Name, "shop", context.AuthKind,
            Kubeconfig.Flatten(context), DateTimeOffset.UtcNow);
        var command = new DeployApplication(Guid.NewGuid(), "prod", Network: null, Namespace: "shop", "git://example/app.git", new string('a', 40),
            new ApplicationSpec("web", "Dockerfile", ".", 2, 8080, 8080), "registry.example.com:5000/team/web@sha256:abc");

        var result = await deployer.DeployAsync(command, cluster, new RecordingProgress(), CancellationToken.None);

        Assert.Equal((2, true, "http://web.shop.svc.cluster.local:8080"), (result.RunningReplicas, result.Changed, result.Endpoint));
        var secret = _server.Store.Get(ResourceType.All.First(r => r.Kind == "Secret"), "shop", "rad-pull-registry-example-com-5000-team")!;
        Assert.Equal("kubernetes.io/dockerconfigjson", secret["type"]!.GetValue<string>());
        var auths = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]![".dockerconfigjson"]!.GetValue<string>())))!["auths"]!;
        Assert.Equal("ci", auths["registry.example.com:5000"]!["username"]!.GetValue<string>());
        var deployment = _server.Store.Get(ResourceType.All.First(r => r.Kind == "Deployment"), "shop", "web")!;
        Assert.Equal("rad-pull-registry-example-com-5000-team", deployment["spec"]!["template"]!["spec"]!["imagePullSecrets"]![0]!["name"]!.GetValue<string>());

        var again = await deployer.DeployAsync(command, cluster, new RecordingProgress(), CancellationToken.None);

        Assert.False(again.Changed);
    }

    [Fact]
    public async Task An_image_from_a_registry_without_credentials_gets_no_pull_secret()
    {
        var deployer = new KubernetesDeployer(new KubernetesClientFactory(), Options.Create(new RegistryCredentials()), Options.Create(new DeployerOptions()), NullLogger<KubernetesDeployer>.Instance);
        var context = Kubeconfig.Load(_server.Kubeconfig("open"));
        var cluster = new RegisteredCluster("dev", RegisteredCluster.KubernetesKind, context.Server.ToString(), context.Name, "open", context.AuthKind,
            Kubeconfig.Flatten(context), DateTimeOffset.UtcNow);

        await deployer.DeployAsync(new DeployApplication(Guid.NewGuid(), "dev", Network: null, Namespace: "open", "git://example/app.git", new string('b', 40),
            new ApplicationSpec("api", "Dockerfile", ".", 1, 30500, 8080), "127.0.0.1:5000/team/api@sha256:def"), cluster, new RecordingProgress(), CancellationToken.None);

        Assert.Empty(_server.Store.List(ResourceType.All.First(r => r.Kind == "Secret"), "open"));
        Assert.Null(_server.Store.Get(ResourceType.All.First(r => r.Kind == "Deployment"), "open", "api")!["spec"]!["template"]!["spec"]!["imagePullSecrets"]);
    }
}
