using Rad.Clusters;
using Rad.Clusters.Kubernetes;
using Rad.Contracts;
using Rad.FakeKubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

/// <summary>Canary on Kubernetes without a mesh: NAME-canary beside NAME under one Service, the split by pods.</summary>
public sealed class KubernetesCanaryTests : IAsyncLifetime
{
    KubernetesHarness _k8s = null!;

    public async Task InitializeAsync() => _k8s = await KubernetesHarness.StartAsync();

    public async Task DisposeAsync() => await _k8s.DisposeAsync();

    static ApplicationSpec App(int replicas, IReadOnlyList<int> steps, TimeSpan pause) =>
        KubernetesHarness.App(replicas: replicas, rollout: new RolloutPolicy(RolloutPolicy.CanaryStrategy, TimeSpan.Zero, new CanaryPolicy(steps, pause, 0.01)));

    static readonly Dictionary<string, string> WebPods = new() { ["app.kubernetes.io/name"] = "web" };

    [Theory]
    [InlineData(4, 25, 1, 3)]
    [InlineData(4, 50, 2, 2)]
    [InlineData(4, 100, 4, 0)]
    [InlineData(10, 10, 1, 9)]
    [InlineData(10, 90, 9, 1)]
    [InlineData(2, 10, 1, 1)]
    [InlineData(1, 10, 1, 1)]
    [InlineData(1, 100, 1, 0)]
    public void A_step_gives_the_canary_its_share_of_the_replicas_rounded_up_and_leaves_the_main_at_least_one_until_100(int replicas, int percent, int canary, int main) =>
        Assert.Equal((canary, main), CanaryRollout.Split(replicas, percent));

    [Fact]
    public async Task Each_step_scales_the_canary_up_then_the_main_down_and_at_100_the_main_takes_the_new_version()
    {
        var app = App(4, [25, 50, 100], TimeSpan.FromMilliseconds(300));
        await _k8s.DeployAsync(app, "v1");
        using var recorder = new StoreRecorder(_k8s.Server.Store);
        var progress = new RecordingProgress();

        var result = await _k8s.DeployAsync(app, "v2", progress);

        Assert.Equal((4, true), (result.RunningReplicas, result.Changed));
        Assert.Equal(
            [("shift traffic 25%", StageStates.InProgress), ("shift traffic 25%", StageStates.Completed),
             ("shift traffic 50%", StageStates.InProgress), ("shift traffic 50%", StageStates.Completed),
             ("shift traffic 100%", StageStates.InProgress), ("shift traffic 100%", StageStates.Completed)],
            progress.Steps.Select(s => (s.Step, s.State)));
        Assert.Equal("1 pod(s) of the new version (web-canary) beside 3 of the running one: 25% of the pods (no service mesh: traffic follows pods; error rate not measured)",
            progress.Steps.First().Message);
        Assert.Equal("1 of 4 pods run the new version, all ready for 300ms", progress.Steps.ElementAt(1).Message);
        // The replicas RAD asked for, in order: canary 1, main 3, canary 2, main 2, canary 4, main 0, then main 4 at the new version.
        var asked = recorder.Of("Deployment").Where(c => c.Type != "DELETED")
            .Select(c => (Name: c.Object["metadata"]!["name"]!.GetValue<string>(), Generation: c.Object["metadata"]!["generation"]!.GetValue<long>(),
                Replicas: c.Object["spec"]!["replicas"]!.GetValue<int>(), Image: KubernetesHarness.ImageOf(c.Object)))
            .DistinctBy(c => (c.Name, c.Generation)).Select(c => $"{c.Name}={c.Replicas}{(c.Image == KubernetesHarness.Image("v2") ? "@v2" : "")}").ToList();
        Assert.Equal(["web-canary=1@v2", "web=3", "web-canary=2@v2", "web=2", "web-canary=4@v2", "web=0", "web=4@v2"], asked);
        Assert.Equal(["web"], _k8s.DeploymentNames());
        // New pods first: at no moment fewer than 4 ready pods behind the Service.
        Assert.True(recorder.ReadyPods(WebPods).Min() >= 4, string.Join(",", recorder.ReadyPods(WebPods)));
        var pods = _k8s.Pods("app.kubernetes.io/name", "web");
        Assert.Equal(4, pods.Count);
        Assert.All(pods, p => Assert.Equal(KubernetesHarness.Image("v2"), p["spec"]!["containers"]![0]!["image"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_canary_that_fails_readiness_is_removed_the_main_is_back_and_the_deployment_fails_naming_why()
    {
        var app = App(2, [10, 50, 100], TimeSpan.FromMilliseconds(200));
        await _k8s.DeployAsync(app, "v1");
        _k8s.Server.Scenarios[KubernetesHarness.Image("v2")] = Scenario.Unready;
        using var recorder = new StoreRecorder(_k8s.Server.Store);
        var progress = new RecordingProgress();

        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(() => _k8s.DeployAsync(app, "v2", progress));

        Assert.False(failure.Changed);
        Assert.Contains("the canary failed at 10% and was removed; web serves " + KubernetesHarness.Image("v1") + " on 2 pod(s) again", failure.Message);
        Assert.Contains("Readiness probe failed: HTTP probe failed with statuscode: 503", failure.Message);
        Assert.Equal([("shift traffic 10%", StageStates.InProgress), ("shift traffic 10%", StageStates.Failed)], progress.Steps.Select(s => (s.Step, s.State)));
        Assert.Equal(["web"], _k8s.DeploymentNames());
        Assert.Equal(2, _k8s.Deployment("web")!["spec"]!["replicas"]!.GetValue<int>());
        Assert.True(recorder.ReadyPods(WebPods).Min() >= 2);
        Assert.All(_k8s.Pods("app.kubernetes.io/name", "web"), p => Assert.Equal(KubernetesHarness.Image("v1"), p["spec"]!["containers"]![0]!["image"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_canary_pod_that_stops_being_ready_during_the_pause_fails_the_step()
    {
        _k8s.Server.Controller.UnreadyAfter = TimeSpan.FromMilliseconds(400);
        var app = App(2, [50, 100], TimeSpan.FromSeconds(5));
        await _k8s.DeployAsync(app, "v1");
        _k8s.Server.Scenarios[KubernetesHarness.Image("v2")] = Scenario.BecomesUnready;
        var progress = new RecordingProgress();
        var started = DateTimeOffset.UtcNow;

        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(() => _k8s.DeployAsync(app, "v2", progress));

        Assert.Contains("the canary failed at 50% and was removed", failure.Message);
        Assert.Contains("does not pass its readiness probe (event Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503)", failure.Message);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(4), "the failure waited for the end of the pause");
        Assert.Equal(["web"], _k8s.DeploymentNames());
        Assert.Equal(("shift traffic 50%", StageStates.Failed), (progress.Steps.Last().Step, progress.Steps.Last().State));
    }

    [Fact]
    public async Task The_first_deployment_and_a_redeployment_of_the_running_version_have_no_canary_steps()
    {
        var app = App(2, [10, 100], TimeSpan.FromSeconds(30));
        var progress = new RecordingProgress();

        var first = await _k8s.DeployAsync(app, "v1", progress);
        var again = await _k8s.DeployAsync(app, "v1", progress);

        Assert.Empty(progress.Steps);
        Assert.Equal((true, false), (first.Changed, again.Changed));
        Assert.Equal(["web"], _k8s.DeploymentNames());
    }

    [Fact]
    public async Task Describe_during_a_pause_counts_the_main_and_the_canary_the_service_selects()
    {
        var app = App(4, [25, 100], TimeSpan.FromSeconds(3));
        await _k8s.DeployAsync(app, "v1");
        var progress = new RecordingProgress();

        var deploying = _k8s.DeployAsync(app, "v2", progress);
        while (!progress.Steps.Any(s => s.Step == "shift traffic 25%") || !_k8s.Pods("rad/slot", "canary").Any(DeploymentController.Ready)
               || _k8s.Deployment("web")!["status"]?["replicas"]?.GetValue<int>() != 3)
            await Task.Delay(50);
        var during = Assert.Single(await _k8s.Cluster.DescribeAsync(CancellationToken.None));
        await deploying;
        var after = Assert.Single(await _k8s.Cluster.DescribeAsync(CancellationToken.None));

        Assert.Equal(("web", 4, 4, 4, KubernetesHarness.Image("v1")), (during.Name, during.Desired, during.Running, during.Healthy, during.Image));
        Assert.Equal(("web", 4, 4, 4, KubernetesHarness.Image("v2"), "http://127.0.0.1:30080"), (after.Name, after.Desired, after.Running, after.Healthy, after.Image, after.Endpoint));
    }
}
