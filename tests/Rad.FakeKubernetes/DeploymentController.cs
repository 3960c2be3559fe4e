using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Rad.FakeKubernetes;

/// <summary>
/// Plays the deployment controller, scheduler and kubelet for each applied Deployment generation: creates its pods and
/// moves status the way the real ones do (observedGeneration, updated/ready/available replicas, the Available and
/// Progressing conditions), or fails the way <see cref="Scenario"/> says, with the real reasons, messages and events.
/// </summary>
public sealed class DeploymentController(ObjectStore store) : IDisposable
{
    static readonly ResourceType Deployments = ResourceType.All.First(r => r.Kind == "Deployment");
    static readonly ResourceType Pods = ResourceType.All.First(r => r.Kind == "Pod");
    static readonly ResourceType Events = ResourceType.All.First(r => r.Kind == "Event");
    readonly CancellationTokenSource _stop = new();

    /// <summary>By application (label app.kubernetes.io/name, else the Deployment's name); Healthy when absent.</summary>
    public ConcurrentDictionary<string, Scenario> Scenarios { get; } = new();

    /// <summary>How long each step (pods created, pods ready or failing) takes.</summary>
    public TimeSpan Step { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Stands for the Deployment's progressDeadlineSeconds in the failing scenarios (its real seconds are too long for tests).</summary>
    public TimeSpan ProgressDeadline { get; set; } = TimeSpan.FromSeconds(2);

    public void Reconcile(JsonObject deployment) => _ = Task.Run(() => PlayAsync((JsonObject)deployment.DeepClone()));

    async Task PlayAsync(JsonObject deployment)
    {
        var ns = deployment["metadata"]!["namespace"]!.GetValue<string>();
        var name = deployment["metadata"]!["name"]!.GetValue<string>();
        var generation = deployment["metadata"]!["generation"]!.GetValue<long>();
        var replicas = deployment["spec"]!["replicas"]!.GetValue<int>();
        var template = (JsonObject)deployment["spec"]!["template"]!;
        var app = template["metadata"]?["labels"]?["app.kubernetes.io/name"]?.GetValue<string>() ?? name;
        var scenario = Scenarios.GetValueOrDefault(app, Scenario.Healthy);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(template.ToJsonString())))[..10];
        var replicaSet = $"{name}-{hash}";
        try
        {
            await Task.Delay(Step, _stop.Token);
            if (!UpdateStatus(ns, name, generation, status =>
                {
                    status["observedGeneration"] = generation;
                    status["replicas"] = replicas;
                    status["updatedReplicas"] = replicas;
                    status["unavailableReplicas"] = replicas;
                    status["availableReplicas"] = 0;
                    status["readyReplicas"] = 0;
                    status["conditions"] = new JsonArray(
                        Condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."),
                        Condition("Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{replicaSet}\" is progressing."));
                }))
                return;
            var pods = ReplacePods(ns, name, replicaSet, template, replicas, scenario);
            await Task.Delay(Step, _stop.Token);
            // Deleted or changed meanwhile: its pods are gone or belong to the newer generation's play.
            if (!Current(ns, name, generation))
                return;

            switch (scenario)
            {
                case Scenario.Healthy:
                    foreach (var pod in pods)
                        store.Put(Pods, Pod(ns, pod, replicaSet, template, running: true, ready: true), "MODIFIED");
                    UpdateStatus(ns, name, generation, status =>
                    {
                        status["readyReplicas"] = replicas;
                        status["availableReplicas"] = replicas;
                        status.Remove("unavailableReplicas");
                        status["conditions"] = new JsonArray(
                            Condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
                            Condition("Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{replicaSet}\" has successfully progressed."));
                    });
                    break;
                case Scenario.ImagePullBackOff:
                    var image = template["spec"]!["containers"]![0]!["image"]!.GetValue<string>();
                    foreach (var pod in pods)
                    {
                        store.Put(Pods, Pod(ns, pod, replicaSet, template, running: false, ready: false,
                            waiting: ("ImagePullBackOff", $"Back-off pulling image \"{image}\"")), "MODIFIED");
                        Event(ns, pod, "Failed",
                            $"Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": not found");
                    }
                    break;
                case Scenario.CrashLoopBackOff:
                    foreach (var pod in pods)
                    {
                        var container = template["spec"]!["containers"]![0]!["name"]!.GetValue<string>();
                        store.Put(Pods, Pod(ns, pod, replicaSet, template, running: true, ready: false,
                            waiting: ("CrashLoopBackOff", $"back-off 10s restarting failed container={container} pod={pod}_{ns}"), crashed: true), "MODIFIED");
                        Event(ns, pod, "BackOff", $"Back-off restarting failed container {container} in pod {pod}_{ns}");
                    }
                    break;
                case Scenario.Unschedulable:
                    const string why = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
                    foreach (var pod in pods)
                    {
                        var pending = Pod(ns, pod, replicaSet, template, running: false, ready: false);
                        pending["status"]!["conditions"] = new JsonArray(new JsonObject
                        {
                            ["type"] = "PodScheduled", ["status"] = "False", ["reason"] = "Unschedulable", ["message"] = why,
                            ["lastTransitionTime"] = Now(),
                        });
                        store.Put(Pods, pending, "MODIFIED");
                        Event(ns, pod, "FailedScheduling", why);
                    }
                    break;
            }
            // A rollout whose pods never become available exceeds its progress deadline, whatever holds them back.
            if (scenario != Scenario.Healthy)
            {
                await Task.Delay(ProgressDeadline, _stop.Token);
                UpdateStatus(ns, name, generation, status => status["conditions"] = new JsonArray(
                    Condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."),
                    Condition("Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet \"{replicaSet}\" has timed out progressing.")));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    bool Current(string ns, string name, long generation) =>
        store.Get(Deployments, ns, name)?["metadata"]?["generation"]?.GetValue<long>() == generation;

    /// <summary>Changes the Deployment's status, unless a newer generation was applied meanwhile (then that one's play counts).</summary>
    bool UpdateStatus(string ns, string name, long generation, Action<JsonObject> change)
    {
        var current = store.Get(Deployments, ns, name);
        if (current is null || current["metadata"]!["generation"]!.GetValue<long>() != generation)
            return false;
        var status = current["status"] as JsonObject ?? new JsonObject();
        change(status);
        current["status"] = status;
        store.Put(Deployments, current, "MODIFIED");
        return true;
    }

    List<string> ReplacePods(string ns, string deployment, string replicaSet, JsonObject template, int replicas, Scenario scenario)
    {
        foreach (var old in store.List(Pods, ns).Where(p => p["metadata"]?["labels"]?["rad.fake/deployment"]?.GetValue<string>() == deployment))
            store.Remove(Pods, ns, old["metadata"]!["name"]!.GetValue<string>());
        var names = Enumerable.Range(0, replicas).Select(i => $"{replicaSet}-{Guid.NewGuid().ToString("N")[..5]}").ToList();
        foreach (var pod in names)
            store.Put(Pods, Pod(ns, pod, replicaSet, template, running: false, ready: false,
                waiting: scenario == Scenario.ImagePullBackOff ? ("ErrImagePull", "rpc error: code = NotFound") : ("ContainerCreating", null)), "ADDED");
        return names;
    }

    static JsonObject Pod(string ns, string name, string replicaSet, JsonObject template, bool running, bool ready,
        (string Reason, string? Message)? waiting = null, bool crashed = false)
    {
        var labels = (JsonObject)(template["metadata"]?["labels"]?.DeepClone() ?? new JsonObject());
        labels["rad.fake/deployment"] = replicaSet[..replicaSet.LastIndexOf('-')];
        var container = template["spec"]!["containers"]![0]!;
        var state = waiting is { } w
            ? new JsonObject { ["waiting"] = new JsonObject { ["reason"] = w.Reason, ["message"] = w.Message } }
            : new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Now() } };
        var containerStatus = new JsonObject
        {
            ["name"] = container["name"]!.GetValue<string>(), ["image"] = container["image"]!.GetValue<string>(), ["ready"] = ready,
            ["restartCount"] = crashed ? 3 : 0, ["started"] = running && waiting is null, ["state"] = state,
        };
        if (crashed)
            containerStatus["lastState"] = new JsonObject
            {
                ["terminated"] = new JsonObject { ["exitCode"] = 1, ["reason"] = "Error", ["startedAt"] = Now(), ["finishedAt"] = Now() },
            };
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = labels },
            ["spec"] = template["spec"]!.DeepClone(),
            ["status"] = new JsonObject
            {
                ["phase"] = running ? "Running" : "Pending",
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" }),
                ["containerStatuses"] = new JsonArray(containerStatus),
            },
        };
    }

    void Event(string ns, string pod, string reason, string message) =>
        store.Put(Events, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = $"{pod}.{Guid.NewGuid().ToString("N")[..12]}", ["namespace"] = ns },
            ["involvedObject"] = new JsonObject { ["kind"] = "Pod", ["name"] = pod, ["namespace"] = ns, ["apiVersion"] = "v1" },
            ["reason"] = reason,
            ["message"] = message,
            ["type"] = "Warning",
            ["count"] = 1,
            ["firstTimestamp"] = Now(),
            ["lastTimestamp"] = Now(),
        }, "ADDED");

    static JsonObject Condition(string type, string status, string reason, string message) => new()
    {
        ["type"] = type, ["status"] = status, ["reason"] = reason, ["message"] = message,
        ["lastUpdateTime"] = Now(), ["lastTransitionTime"] = Now(),
    };

    static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
