using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Rad.Clusters;
using Rad.Clusters.Kubernetes;
using Rad.Contracts;
using Rad.FakeKubernetes;
using Xunit;

namespace Rad.UnitTests.Kubernetes;

/// <summary>Blue-green on Kubernetes: two slots, validation, a selector switch, the kept previous slot, migration.</summary>
public sealed class KubernetesBlueGreenTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    KubernetesHarness _k8s = null!;

    public async Task InitializeAsync() => _k8s = await KubernetesHarness.StartAsync();

    public async Task DisposeAsync() => await _k8s.DisposeAsync();

    static ApplicationSpec App(TimeSpan? keep = null) =>
        KubernetesHarness.App(replicas: 2, rollout: new RolloutPolicy(RolloutPolicy.BlueGreen, keep ?? TimeSpan.FromMinutes(5)));

    static string? Selected(JsonObject? service) => service?["spec"]?["selector"]?["rad/slot"]?.GetValue<string>();

    [Fact]
    public async Task First_deployment_starts_the_blue_slot_and_a_service_that_selects_it()
    {
        var progress = new RecordingProgress();

        var result = await _k8s.DeployAsync(App(), "v1", progress);

        Assert.Equal(["web-blue"], _k8s.DeploymentNames());
        Assert.Equal("blue", Selected(_k8s.Service()));
        Assert.Equal((2, true, "http://127.0.0.1:30080"), (result.RunningReplicas, result.Changed, result.Endpoint));
        var blue = _k8s.Deployment("web-blue")!;
        Assert.Equal("""{"app.kubernetes.io/name":"web","rad/slot":"blue"}""", blue["spec"]!["selector"]!["matchLabels"]!.ToJsonString());
        Assert.Equal(["validate", "validate", "switch", "switch"], progress.Steps.Select(s => s.Step));
        Assert.Null(_k8s.Service()!["metadata"]!["annotations"]![Rad.Kubernetes.Manifests.KeepPreviousUntilAnnotation]);
    }

    [Fact]
    public async Task A_new_version_is_validated_in_the_other_slot_before_the_service_switches_to_it_at_once()
    {
        await _k8s.DeployAsync(App(), "v1");
        var bluePods = _k8s.Pods("rad/slot", "blue").Select(p => p["metadata"]!["name"]!.GetValue<string>()).ToHashSet();
        using var recorder = new StoreRecorder(_k8s.Server.Store);
        var progress = new RecordingProgress();
        var before = DateTimeOffset.UtcNow;

        var result = await _k8s.DeployAsync(App(), "v2", progress);

        Assert.True(result.Changed);
        Assert.Equal(["web-blue", "web-green"], _k8s.DeploymentNames());
        Assert.Equal(KubernetesHarness.Image("v2"), KubernetesHarness.ImageOf(_k8s.Deployment("web-green")));
        Assert.Equal(KubernetesHarness.Image("v1"), KubernetesHarness.ImageOf(_k8s.Deployment("web-blue")));
        Assert.Equal("green", Selected(_k8s.Service()));
        Assert.Equal(
            [("validate", StageStates.InProgress), ("validate", StageStates.Completed), ("switch", StageStates.InProgress), ("switch", StageStates.Completed)],
            progress.Steps.Select(s => (s.Step, s.State)));
        Assert.Equal("2 of 2 pod(s) of web-green ready (GET /healthz on port 8080 answering 200-399)", progress.Steps.ElementAt(1).Message);
        Assert.StartsWith("Service web selects web-green: 2 ready endpoint(s), all pods of web-green; web-blue kept until ", progress.Steps.Last().Message);
        output.WriteLine($"validate {progress.Duration("validate").TotalMilliseconds:0} ms, switch {progress.Duration("switch").TotalMilliseconds:0} ms (fake API server)");

        // The switch is one change of the Service, made once every green pod was ready.
        var switches = recorder.Of("Service", "web").Where(c => Selected(c.Object) == "green").ToList();
        var firstSwitch = switches.First();
        var greenAvailable = recorder.Of("Deployment", "web-green").First(c => c.Object["status"]?["availableReplicas"]?.GetValue<int>() == 2);
        Assert.True(greenAvailable.ResourceVersion < firstSwitch.ResourceVersion, "the Service switched before web-green was available");
        // Its endpoints went from the two blue pods to the two green ones, never fewer than two and never mixed.
        var endpoints = recorder.ReadyEndpoints("web");
        Assert.All(endpoints, e => Assert.Equal(2, e.Count));
        Assert.All(endpoints, e => Assert.True(e.All(bluePods.Contains) || e.All(p => p.StartsWith("web-green-", StringComparison.Ordinal)), string.Join(",", e)));
        Assert.True(endpoints[^1].All(p => p.StartsWith("web-green-", StringComparison.Ordinal)));
        // The previous slot is kept for keep_previous (5 min), still running.
        var until = DateTimeOffset.Parse(_k8s.Service()!["metadata"]!["annotations"]!["rad/keep-previous-until"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.InRange(until, before.AddMinutes(5).AddSeconds(-1), DateTimeOffset.UtcNow.AddMinutes(5).AddSeconds(1));
        Assert.Equal(2, _k8s.Pods("rad/slot", "blue").Count(DeploymentController.Ready));
    }

    [Fact]
    public async Task A_new_slot_that_fails_its_health_check_is_deleted_and_the_old_one_serves_throughout()
    {
        await _k8s.DeployAsync(App(), "v1");
        _k8s.Server.Scenarios[KubernetesHarness.Image("v2")] = Scenario.Unready;
        using var recorder = new StoreRecorder(_k8s.Server.Store);
        var progress = new RecordingProgress();

        var failure = await Assert.ThrowsAsync<DeploymentFailedException>(() => _k8s.DeployAsync(App(), "v2", progress));

        Assert.False(failure.Changed);
        Assert.Contains("web-green did not pass its health check (GET /healthz on port 8080 answering 200-399): progress deadline exceeded", failure.Message);
        Assert.Contains("Readiness probe failed: HTTP probe failed with statuscode: 503", failure.Message);
        Assert.EndsWith("it was deleted and web-blue goes on serving", failure.Message);
        Assert.Equal([("validate", StageStates.InProgress), ("validate", StageStates.Failed)], progress.Steps.Select(s => (s.Step, s.State)));
        Assert.Equal(["web-blue"], _k8s.DeploymentNames());
        Assert.DoesNotContain(recorder.Of("Service", "web"), c => Selected(c.Object) != "blue");
        var endpoints = recorder.ReadyEndpoints("web");
        Assert.All(endpoints, e => Assert.True(e.Count == 2 && e.All(p => p.StartsWith("web-blue-", StringComparison.Ordinal)), string.Join(",", e)));
    }

    [Fact]
    public async Task A_rollback_within_keep_previous_is_only_a_switch_back()
    {
        await _k8s.DeployAsync(App(), "v1");
        await _k8s.DeployAsync(App(), "v2");
        var bluePods = _k8s.Pods("rad/slot", "blue").Select(p => p["metadata"]!["name"]!.GetValue<string>()).Order().ToList();
        var blueGeneration = _k8s.Deployment("web-blue")!["metadata"]!["generation"]!.GetValue<long>();
        var progress = new RecordingProgress();
        var started = DateTimeOffset.UtcNow;

        var result = await _k8s.DeployAsync(App(), "v1", progress, DeployPurposes.Rollback);

        var elapsed = DateTimeOffset.UtcNow - started;
        Assert.True(result.Changed);
        Assert.Equal("blue", Selected(_k8s.Service()));
        Assert.Equal(bluePods, _k8s.Pods("rad/slot", "blue").Select(p => p["metadata"]!["name"]!.GetValue<string>()).Order().ToList());
        Assert.Equal(blueGeneration, _k8s.Deployment("web-blue")!["metadata"]!["generation"]!.GetValue<long>());
        Assert.StartsWith("web-blue still runs this version (kept as the previous one)", progress.Steps.First().Message);
        Assert.Equal(["validate", "validate", "switch", "switch"], progress.Steps.Select(s => s.Step));
        // Now green is the one kept, for a roll forward by switch.
        Assert.Equal(KubernetesHarness.Image("v2"), KubernetesHarness.ImageOf(_k8s.Deployment("web-green")));
        output.WriteLine($"rollback by switch: {elapsed.TotalMilliseconds:0} ms in all, switch step {progress.Duration("switch").TotalMilliseconds:0} ms (fake API server)");
    }

    [Fact]
    public async Task The_previous_slot_goes_once_keep_previous_has_passed_and_a_later_rollback_starts_it_anew()
    {
        // The sweep is given its clock, so the kept time can be long enough that a slow machine never reaches it by itself
        // (with 1 s, a loaded CI machine took longer than that between the switch and the early sweep).
        var app = App(keep: TimeSpan.FromMinutes(1));
        await _k8s.DeployAsync(app, "v1");
        await _k8s.DeployAsync(app, "v2");
        Assert.NotNull(_k8s.Deployment("web-blue"));

        var early = await PreviousSlots.SweepAsync(_k8s.Client, KubernetesHarness.Namespace, DateTimeOffset.UtcNow, NullLogger.Instance, CancellationToken.None);
        var late = await PreviousSlots.SweepAsync(_k8s.Client, KubernetesHarness.Namespace, DateTimeOffset.UtcNow.AddMinutes(2), NullLogger.Instance, CancellationToken.None);

        Assert.Empty(early);
        Assert.Equal(["web-blue"], late);
        Assert.Equal(["web-green"], _k8s.DeploymentNames());
        var progress = new RecordingProgress();
        await _k8s.DeployAsync(app, "v1", progress, DeployPurposes.Rollback);
        Assert.StartsWith("web-blue starts 2 pod(s) of the new version", progress.Steps.First().Message);
        Assert.Equal("blue", Selected(_k8s.Service()));
    }

    [Fact]
    public async Task The_next_deployment_in_the_namespace_sweeps_slots_kept_past_their_time()
    {
        var app = App(keep: TimeSpan.FromMilliseconds(300));
        await _k8s.DeployAsync(app, "v1");
        await _k8s.DeployAsync(app, "v2");
        // The kept time is written in whole seconds, rounded up: 300 ms keeps the slot up to 1.3 s.
        await Task.Delay(1500);

        await _k8s.DeployAsync(KubernetesHarness.App(name: "api", replicas: 1) with { Port = 30081 }, "a1");

        Assert.Equal(["api", "web-green"], _k8s.DeploymentNames());
    }

    [Fact]
    public async Task Keep_previous_0_deletes_the_old_slot_at_the_switch()
    {
        var app = App(keep: TimeSpan.Zero);
        await _k8s.DeployAsync(app, "v1");
        var progress = new RecordingProgress();

        await _k8s.DeployAsync(app, "v2", progress);

        Assert.Equal(["web-green"], _k8s.DeploymentNames());
        Assert.EndsWith("web-blue deleted (keep_previous 0)", progress.Steps.Last().Message);
    }

    [Fact]
    public async Task A_single_deployment_from_an_earlier_rad_serves_until_the_switch_and_then_goes()
    {
        await _k8s.Client.ApplyAsync(Rad.Kubernetes.Manifests.Namespace(KubernetesHarness.Namespace), CancellationToken.None);
        // What RAD applied before strategies existed: one Deployment NAME (no strategy, a TCP probe every 2 s) and a Service selecting its name.
        await _k8s.Client.ApplyAsync(EarlierRadDeployment(KubernetesHarness.Image("v1")), CancellationToken.None);
        await _k8s.Client.ApplyAsync(Rad.Kubernetes.Manifests.Service(KubernetesHarness.Namespace, App(), "v1".PadRight(40, '0')), CancellationToken.None);
        await new Rad.Kubernetes.RolloutTracker(_k8s.Client).WaitAsync(KubernetesHarness.Namespace, "web", TimeSpan.FromSeconds(30), CancellationToken.None);
        var oldPods = _k8s.Pods("app.kubernetes.io/name", "web").Select(p => p["metadata"]!["name"]!.GetValue<string>()).ToHashSet();
        using var recorder = new StoreRecorder(_k8s.Server.Store);
        var progress = new RecordingProgress();

        var result = await _k8s.DeployAsync(App(), "v2", progress);

        Assert.True(result.Changed);
        Assert.Equal(["web-blue"], _k8s.DeploymentNames());
        Assert.Equal("blue", Selected(_k8s.Service()));
        Assert.StartsWith("Service web: from web to web-blue", progress.Steps.ElementAt(2).Message);
        var endpoints = recorder.ReadyEndpoints("web");
        Assert.All(endpoints, e => Assert.True(e.Count >= 2 && (e.All(oldPods.Contains) || e.All(p => p.StartsWith("web-blue-", StringComparison.Ordinal))), string.Join(",", e)));
        Assert.DoesNotContain(_k8s.Pods("app.kubernetes.io/name", "web"), p => oldPods.Contains(p["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Moving_from_blue_green_to_rolling_leaves_one_deployment_whose_pods_the_service_selects()
    {
        await _k8s.DeployAsync(App(), "v1");
        await _k8s.DeployAsync(App(), "v2");

        await _k8s.DeployAsync(KubernetesHarness.App(replicas: 2), "v3");

        Assert.Equal(["web"], _k8s.DeploymentNames());
        Assert.Equal("""{"app.kubernetes.io/name":"web"}""", _k8s.Service()!["spec"]!["selector"]!.ToJsonString());
        var pods = _k8s.Pods("app.kubernetes.io/name", "web");
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Equal(KubernetesHarness.Image("v3"), p["spec"]!["containers"]![0]!["image"]!.GetValue<string>()));
    }

    /// <summary>The Deployment an earlier RAD applied (before health checks and strategies).</summary>
    static JsonObject EarlierRadDeployment(string image) => (JsonObject)JsonNode.Parse($$"""
        {
          "apiVersion": "apps/v1", "kind": "Deployment",
          "metadata": { "name": "web", "namespace": "shop", "labels": { "app.kubernetes.io/name": "web", "app.kubernetes.io/managed-by": "rad" },
                        "annotations": { "rad/commit": "{{"v1".PadRight(40, '0')}}" } },
          "spec": {
            "replicas": 2, "progressDeadlineSeconds": 120,
            "selector": { "matchLabels": { "app.kubernetes.io/name": "web" } },
            "template": {
              "metadata": { "labels": { "app.kubernetes.io/name": "web", "app.kubernetes.io/managed-by": "rad" } },
              "spec": { "containers": [ { "name": "web", "image": "{{image}}",
                "ports": [ { "name": "app", "containerPort": 8080, "protocol": "TCP" } ],
                "readinessProbe": { "tcpSocket": { "port": 8080 }, "periodSeconds": 2, "failureThreshold": 3 } } ] }
            }
          }
        }
        """)!;
}
