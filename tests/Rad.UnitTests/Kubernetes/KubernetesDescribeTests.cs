using Rad.Contracts;
using Rad.FakeKubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

/// <summary>What runs (DescribeAsync) and removing an application (RemoveAsync) on Kubernetes, against the fake.</summary>
public sealed class KubernetesDescribeTests : IAsyncLifetime
{
    KubernetesHarness _k8s = null!;

    public async Task InitializeAsync() => _k8s = await KubernetesHarness.StartAsync();

    public async Task DisposeAsync() => await _k8s.DisposeAsync();

    static ApplicationSpec BlueGreen(int replicas) =>
        KubernetesHarness.App(replicas: replicas, rollout: new RolloutPolicy(RolloutPolicy.BlueGreen, TimeSpan.FromMinutes(5)));

    [Fact]
    public async Task Describe_counts_only_the_slot_the_service_selects_not_the_kept_one()
    {
        await _k8s.DeployAsync(BlueGreen(3), "v1");
        await _k8s.DeployAsync(BlueGreen(2), "v2");
        await _k8s.DeployAsync(KubernetesHarness.App(name: "api", replicas: 1) with { Port = 8081, ServiceType = "ClusterIP" }, "a1");

        var running = (await _k8s.Cluster.DescribeAsync(CancellationToken.None)).OrderBy(a => a.Name).ToList();

        // web-blue (v1, 3 pods) is kept but takes no traffic: 3 + 2 + 1 pods run.
        Assert.Equal(6, _k8s.Server.Store.List(ResourceType.Of("Pod"), KubernetesHarness.Namespace).Count);
        Assert.Equal(
            [
                new RunningApplication("api", 1, 1, 1, KubernetesHarness.Image("a1"), "http://api.shop.svc.cluster.local:8081"),
                new RunningApplication("web", 2, 2, 2, KubernetesHarness.Image("v2"), "http://127.0.0.1:30080"),
            ],
            running);
    }

    [Fact]
    public async Task Describe_counts_pods_that_run_but_fail_their_readiness_probe_as_running_not_healthy()
    {
        var app = KubernetesHarness.App(replicas: 2);
        _k8s.Server.Scenarios[KubernetesHarness.Image("v1")] = Scenario.Unready;
        _k8s.Server.Controller.ProgressDeadline = TimeSpan.FromMilliseconds(500);
        await Assert.ThrowsAsync<Rad.Clusters.DeploymentFailedException>(() => _k8s.DeployAsync(app, "v1"));

        var web = Assert.Single(await _k8s.Cluster.DescribeAsync(CancellationToken.None));

        Assert.Equal((2, 2, 0), (web.Desired, web.Running, web.Healthy));
    }

    [Fact]
    public async Task Remove_deletes_every_deployment_of_the_application_and_its_service_and_leaves_the_others()
    {
        await _k8s.DeployAsync(BlueGreen(2), "v1");
        await _k8s.DeployAsync(BlueGreen(2), "v2");
        await _k8s.DeployAsync(KubernetesHarness.App(name: "api", replicas: 1) with { Port = 30081 }, "a1");

        await _k8s.Cluster.RemoveAsync(new RemoveApplication(Guid.NewGuid(), "prod", null, KubernetesHarness.Namespace, "web"), CancellationToken.None);
        await _k8s.Cluster.RemoveAsync(new RemoveApplication(Guid.NewGuid(), "prod", null, KubernetesHarness.Namespace, "gone-already"), CancellationToken.None);

        Assert.Equal(["api"], _k8s.DeploymentNames());
        Assert.Null(_k8s.Service("web"));
        Assert.NotNull(_k8s.Service("api"));
        Assert.Empty(_k8s.Pods("app.kubernetes.io/name", "web"));
        Assert.Equal("api", Assert.Single(await _k8s.Cluster.DescribeAsync(CancellationToken.None)).Name);
    }
}
