using System.Text.Json.Nodes;
using Rad.Clusters;
using Rad.Contracts;
using Rad.FakeKubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

/// <summary>Rolling and recreate on Kubernetes, and the checks every strategy shares (probes, expect), against the fake.</summary>
public sealed class KubernetesRollingTests : IAsyncLifetime
{
    KubernetesHarness _k8s = null!;

    public async Task InitializeAsync() => _k8s = await KubernetesHarness.StartAsync();

    public async Task DisposeAsync() => await _k8s.DisposeAsync();

    static readonly Dictionary<string, string> WebPods = new() { ["app.kubernetes.io/name"] = "web" };

    [Fact]
    public async Task Rolling_update_keeps_two_ready_pods_at_every_moment_and_reports_no_steps()
    {
        var app = KubernetesHarness.App(replicas: 2);
        await _k8s.DeployAsync(app, "v1");
        using var recorder = new StoreRecorder(_k8s.Server.Store);
        var progress = new RecordingProgress();

        var result = await _k8s.DeployAsync(app, "v2", progress);

        Assert.True(result.Changed);
        Assert.Equal(2, result.RunningReplicas);
        Assert.Empty(progress.Steps);
        var deployment = _k8s.Deployment("web")!;
        Assert.Equal(KubernetesHarness.Image("v2"), KubernetesHarness.ImageOf(deployment));
        Assert.Equal("""{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":"25%"}}""", deployment["spec"]!["strategy"]!.ToJsonString());
        var ready = recorder.ReadyPods(WebPods);
        Assert.NotEmpty(ready);
        Assert.True(ready.Min() >= 2, $"ready pods during the update: {string.Join(",", ready)}");
        // maxSurge 25% of 2 rounds up to 1: never more than 3 pods.
        Assert.True(MaxPods(recorder) <= 3, $"at most {MaxPods(recorder)} pods");
        Assert.All(_k8s.Pods("app.kubernetes.io/name", "web"), p => Assert.Equal(KubernetesHarness.Image("v2"), p["spec"]!["containers"]![0]!["image"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Rolling_update_whose_new_pods_fail_their_readiness_probe_fails_with_what_the_probe_saw_and_the_old_pods_keep_serving()
    {
        var app = KubernetesHarness.App(replicas: 2);
        await _k8s.DeployAsync(app, "v1");
        _k8s.Server.Scenarios[KubernetesHarness.Image("v2")] = Scenario.Unready;
        using var recorder = new StoreRecorder(_k8s.Server.Store);

        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(() => _k8s.DeployAsync(app, "v2"));

        Assert.True(failure.Changed);
        Assert.Contains("progress deadline exceeded: ReplicaSet \"web-", failure.Message);
        Assert.Contains("is running but does not pass its readiness probe (event Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503)", failure.Message);
        Assert.True(recorder.ReadyPods(WebPods).Min() >= 2);
        var old = _k8s.Pods("app.kubernetes.io/name", "web").Where(p => p["spec"]!["containers"]![0]!["image"]!.GetValue<string>() == KubernetesHarness.Image("v1")).ToList();
        Assert.Equal(2, old.Count(DeploymentController.Ready));
        // The Deployment is still Available (its old pods), only its progress has stopped.
        var conditions = _k8s.Deployment("web")!["status"]!["conditions"]!.AsArray();
        Assert.Equal("True", conditions.Single(c => c!["type"]!.GetValue<string>() == "Available")!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_restore_puts_the_recorded_image_back_the_same_way()
    {
        var app = KubernetesHarness.App(replicas: 2);
        await _k8s.DeployAsync(app, "v1");
        _k8s.Server.Scenarios[KubernetesHarness.Image("v2")] = Scenario.Unready;
        await Assert.ThrowsAsync<DeploymentFailedException>(() => _k8s.DeployAsync(app, "v2"));

        var restored = await _k8s.DeployAsync(app, "v1", purpose: DeployPurposes.Restore);

        Assert.True(restored.Changed);
        Assert.Equal(KubernetesHarness.Image("v1"), KubernetesHarness.ImageOf(_k8s.Deployment("web")));
        var pods = _k8s.Pods("app.kubernetes.io/name", "web");
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.True(DeploymentController.Ready(p)));
    }

    [Fact]
    public async Task Recreate_removes_every_old_pod_before_the_new_ones_start()
    {
        var app = KubernetesHarness.App(replicas: 2, rollout: new RolloutPolicy(RolloutPolicy.Recreate, TimeSpan.Zero));
        await _k8s.DeployAsync(app, "v1");
        using var recorder = new StoreRecorder(_k8s.Server.Store);

        var result = await _k8s.DeployAsync(app, "v2");

        Assert.Equal((2, true), (result.RunningReplicas, result.Changed));
        Assert.Equal("""{"type":"Recreate"}""", _k8s.Deployment("web")!["spec"]!["strategy"]!.ToJsonString());
        var pods = recorder.Of("Pod");
        var firstNew = pods.First(c => c.Type == "ADDED");
        var lastOldGone = pods.Last(c => c.Type == "DELETED");
        Assert.True(lastOldGone.ResourceVersion < firstNew.ResourceVersion, "an old pod was deleted after the first new one was created");
        Assert.Contains(0, recorder.ReadyPods(WebPods));
    }

    [Fact]
    public async Task A_redelivered_deployment_changes_nothing()
    {
        var app = KubernetesHarness.App(replicas: 2);
        await _k8s.DeployAsync(app, "v1");
        var pods = _k8s.Pods("app.kubernetes.io/name", "web").Select(p => p["metadata"]!["name"]!.GetValue<string>()).Order().ToList();

        var again = await _k8s.DeployAsync(app, "v1");

        Assert.Equal((false, 2), (again.Changed, again.RunningReplicas));
        Assert.Equal(pods, _k8s.Pods("app.kubernetes.io/name", "web").Select(p => p["metadata"]!["name"]!.GetValue<string>()).Order().ToList());
    }

    [Fact]
    public async Task Readiness_with_successes_3_keeps_a_new_pod_out_until_three_probe_periods_passed()
    {
        _k8s.Server.Controller.ProgressDeadline = TimeSpan.FromSeconds(10);
        var app = KubernetesHarness.App(replicas: 1, health: new HealthCheck("/healthz", "2xx", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 3));
        var started = DateTimeOffset.UtcNow;

        await _k8s.DeployAsync(app, "v1");

        var elapsed = DateTimeOffset.UtcNow - started;
        var probe = _k8s.Deployment("web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["readinessProbe"]!;
        Assert.Equal(3, probe["successThreshold"]!.GetValue<int>());
        // Three passes one period (1 s) apart: at least 2 s after the container started.
        Assert.True(elapsed >= TimeSpan.FromSeconds(2), $"ready after {elapsed.TotalMilliseconds:0} ms");
    }

    [Theory]
    [InlineData("404")]
    [InlineData("2xx-4xx")]
    [InlineData("1xx")]
    public async Task An_expect_a_kubernetes_probe_cannot_check_is_refused_before_anything_is_applied(string expect)
    {
        var app = KubernetesHarness.App(health: new HealthCheck("/healthz", expect, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 1));

        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(() => _k8s.DeployAsync(app, "v1"));

        Assert.Contains($"web's health.expect \"{expect}\" accepts statuses", failure.Message);
        Assert.Contains("the kubelet counts only 200-399 as success", failure.Message);
        Assert.False(failure.Changed);
        Assert.DoesNotContain(_k8s.Server.Requests, r => r.Method == "PATCH");
    }

    static int MaxPods(StoreRecorder recorder) => recorder.PodStates().Max(pods => pods.Count);
}
