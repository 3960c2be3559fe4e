using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Rad.FakeKubernetes;

/// <summary>
/// Plays the deployment controller, the replica set controller, the scheduler and the kubelet for every Deployment, the
/// way pkg/controller/deployment does: one replica set per pod template (pods labelled pod-template-hash); a
/// RollingUpdate scales the new set up by at most maxSurge above spec.replicas and the old sets down only as far as
/// maxUnavailable allows, so with maxUnavailable 0 the old pods stay until new ones are ready; Recreate deletes every old
/// pod before it creates new ones; a replica change with the same template only scales. Pods pass their readiness
/// probe after successThreshold periods (periodSeconds apart), or fail the way <see cref="Scenario"/> says, with the
/// kubelet's reasons, messages and events. Status (observedGeneration, replicas, updated/ready/available/unavailable,
/// the Available and Progressing conditions, ProgressDeadlineExceeded) follows from the pods.
/// </summary>
public sealed class DeploymentController(ObjectStore store) : IDisposable
{
    static readonly ResourceType Deployments = ResourceType.Of("Deployment");
    static readonly ResourceType Pods = ResourceType.Of("Pod");
    static readonly ResourceType Events = ResourceType.Of("Event");
    public const string OwnerLabel = "rad.fake/deployment";
    const string HashLabel = "pod-template-hash";
    readonly CancellationTokenSource _stop = new();
    readonly Lock _lock = new();
    readonly Dictionary<(string Ns, string Name), Task> _loops = [];
    readonly ConcurrentDictionary<string, PodLife> _lives = new();
    readonly ConcurrentDictionary<(string Ns, string Name), Progress> _progress = new();
    int _nextIp = 10;

    /// <summary>
    /// What happens to new pods: by image reference first, then by application (label app.kubernetes.io/name, else the
    /// Deployment's name); Healthy when neither is there. Decided when a pod is created.
    /// </summary>
    public ConcurrentDictionary<string, Scenario> Scenarios { get; } = new();

    /// <summary>How long a pod takes to be scheduled and started (and to fail, in the failing scenarios).</summary>
    public TimeSpan Step { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>How often the controllers look at the cluster.</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Stands for the Deployment's progressDeadlineSeconds (its real seconds are too long for tests): a rollout without progress for this long exceeds it.</summary>
    public TimeSpan ProgressDeadline { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a <see cref="Scenario.BecomesUnready"/> pod stays ready.</summary>
    public TimeSpan UnreadyAfter { get; set; } = TimeSpan.FromSeconds(1);

    sealed record PodLife(string Ns, string Name, DateTimeOffset Created, Scenario Scenario, TimeSpan ReadyAfter, bool Warned = false);

    sealed record Progress(string Hash, DateTimeOffset At, int Pods, int Ready);

    /// <summary>Called on every write of a Deployment: makes sure its controller loop runs.</summary>
    public void Reconcile(JsonObject deployment)
    {
        var key = (deployment["metadata"]!["namespace"]!.GetValue<string>(), deployment["metadata"]!["name"]!.GetValue<string>());
        lock (_lock)
            if (!_loops.ContainsKey(key))
                _loops[key] = Task.Run(() => LoopAsync(key));
    }

    async Task LoopAsync((string Ns, string Name) key)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                lock (_lock)
                {
                    if (store.Get(Deployments, key.Ns, key.Name) is not { } deployment)
                    {
                        // Deleted: the garbage collector takes its pods (the server's DELETE already did, foreground).
                        foreach (var pod in OwnedPods(key.Ns, key.Name))
                            RemovePod(key.Ns, pod);
                        _loops.Remove(key);
                        _progress.TryRemove(key, out _);
                        return;
                    }
                    Sync(deployment);
                }
                await Task.Delay(Tick, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    void Sync(JsonObject deployment)
    {
        var ns = deployment["metadata"]!["namespace"]!.GetValue<string>();
        var name = deployment["metadata"]!["name"]!.GetValue<string>();
        var spec = (JsonObject)deployment["spec"]!;
        var replicas = spec["replicas"]?.GetValue<int>() ?? 1;
        var template = (JsonObject)spec["template"]!;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(template.ToJsonString())))[..10];
        var replicaSet = $"{name}-{hash}";
        var recreate = spec["strategy"]?["type"]?.GetValue<string>() == "Recreate";

        foreach (var pod in OwnedPods(ns, name))
            Advance(pod);

        var pods = OwnedPods(ns, name);
        var current = pods.Where(p => Hash(p) == hash).ToList();
        var old = pods.Where(p => Hash(p) != hash).ToList();
        int maxSurge = 0, maxUnavailable = 0;
        if (recreate)
        {
            // Recreate: every old pod goes first; the new replica set starts only when none is left.
            foreach (var pod in old)
                RemovePod(ns, pod);
            if (old.Count == 0)
                Scale(ns, name, replicaSet, template, current, replicas);
        }
        else
        {
            maxSurge = IntOrPercent(spec["strategy"]?["rollingUpdate"]?["maxSurge"], replicas, roundUp: true, "25%");
            maxUnavailable = IntOrPercent(spec["strategy"]?["rollingUpdate"]?["maxUnavailable"], replicas, roundUp: false, "25%");
            if (maxSurge == 0 && maxUnavailable == 0)
                maxUnavailable = 1;
            // Scale the new replica set up, never above replicas + maxSurge pods in all.
            var room = replicas + maxSurge - pods.Count;
            var wanted = current.Count < replicas ? Math.Min(replicas, current.Count + Math.Max(0, room)) : replicas;
            current = Scale(ns, name, replicaSet, template, current, wanted);
            // Scale the old ones down, never below replicas - maxUnavailable available pods: unhealthy ones first.
            pods = OwnedPods(ns, name);
            var minAvailable = replicas - maxUnavailable;
            var newUnavailable = current.Count - current.Count(Ready);
            var maxScaledDown = pods.Count - minAvailable - newUnavailable;
            foreach (var pod in old.Where(p => !Ready(p)).Take(Math.Max(0, maxScaledDown)).ToList())
            {
                RemovePod(ns, pod);
                old.Remove(pod);
                maxScaledDown--;
            }
            var available = OwnedPods(ns, name).Count(Ready);
            foreach (var pod in old.Take(Math.Max(0, Math.Min(maxScaledDown, available - minAvailable))).ToList())
                RemovePod(ns, pod);
        }
        UpdateStatus(deployment, ns, name, replicaSet, hash, replicas, recreate ? 0 : maxUnavailable);
    }

    /// <summary>Creates or deletes pods of the current replica set until it has <paramref name="count"/>; unready pods go first.</summary>
    List<JsonObject> Scale(string ns, string deployment, string replicaSet, JsonObject template, List<JsonObject> current, int count)
    {
        var result = current.ToList();
        foreach (var extra in current.OrderBy(p => Ready(p) ? 1 : 0).Take(Math.Max(0, current.Count - count)))
        {
            RemovePod(ns, extra);
            result.Remove(extra);
        }
        for (var i = current.Count; i < count; i++)
            result.Add(CreatePod(ns, deployment, replicaSet, template));
        return result;
    }

    JsonObject CreatePod(string ns, string deployment, string replicaSet, JsonObject template)
    {
        var name = $"{replicaSet}-{Guid.NewGuid().ToString("N")[..5]}";
        var container = template["spec"]!["containers"]![0]!;
        var app = template["metadata"]?["labels"]?["app.kubernetes.io/name"]?.GetValue<string>() ?? deployment;
        var image = container["image"]!.GetValue<string>();
        var scenario = Scenarios.TryGetValue(image, out var byImage) ? byImage : Scenarios.GetValueOrDefault(app, Scenario.Healthy);
        var readiness = container["readinessProbe"];
        var readyAfter = Step + TimeSpan.FromSeconds(readiness is null ? 0
            : ((readiness["successThreshold"]?.GetValue<int>() ?? 1) - 1) * (readiness["periodSeconds"]?.GetValue<int>() ?? 10));
        _lives[$"{ns}/{name}"] = new PodLife(ns, name, DateTimeOffset.UtcNow, scenario, readyAfter);
        var labels = (JsonObject)(template["metadata"]?["labels"]?.DeepClone() ?? new JsonObject());
        labels[OwnerLabel] = deployment;
        labels[HashLabel] = replicaSet[(replicaSet.LastIndexOf('-') + 1)..];
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = name, ["namespace"] = ns, ["labels"] = labels,
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = replicaSet, ["controller"] = true, ["blockOwnerDeletion"] = true,
                    ["uid"] = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{ns}/{replicaSet}"))[..16]).ToString(),
                }),
            },
            ["spec"] = template["spec"]!.DeepClone(),
            ["status"] = PodStatus(container, "Pending", ip: null, ready: false,
                waiting: scenario == Scenario.ImagePullBackOff ? ("ErrImagePull", "rpc error: code = NotFound") : ("ContainerCreating", null)),
        };
        if (template["metadata"]?["annotations"] is JsonObject annotations)
            pod["metadata"]!["annotations"] = annotations.DeepClone();
        return store.Put(Pods, pod, "ADDED");
    }

    /// <summary>The kubelet's part: a pod started a step after its creation becomes ready, or fails, as its scenario says.</summary>
    void Advance(JsonObject pod)
    {
        var ns = pod["metadata"]!["namespace"]!.GetValue<string>();
        var name = pod["metadata"]!["name"]!.GetValue<string>();
        if (!_lives.TryGetValue($"{ns}/{name}", out var life))
            return;
        var age = DateTimeOffset.UtcNow - life.Created;
        if (age < Step)
            return;
        var container = pod["spec"]!["containers"]![0]!;
        var image = container["image"]!.GetValue<string>();
        var containerName = container["name"]!.GetValue<string>();
        var ip = pod["status"]?["podIP"]?.GetValue<string>() ?? $"10.244.0.{Interlocked.Increment(ref _nextIp) % 250 + 2}";
        JsonObject status;
        var warn = !life.Warned;
        switch (life.Scenario)
        {
            case Scenario.Healthy:
                status = PodStatus(container, "Running", ip, ready: age >= life.ReadyAfter);
                break;
            case Scenario.Unready:
                status = PodStatus(container, "Running", ip, ready: false);
                if (warn)
                    Event(ns, name, "Unhealthy", $"Readiness probe failed: {ProbeFailure(container, ip)}");
                break;
            case Scenario.BecomesUnready:
                var failing = age >= life.ReadyAfter + UnreadyAfter;
                status = PodStatus(container, "Running", ip, ready: age >= life.ReadyAfter && !failing);
                warn = warn && failing;
                if (warn)
                    Event(ns, name, "Unhealthy", $"Readiness probe failed: {ProbeFailure(container, ip)}");
                break;
            case Scenario.ImagePullBackOff:
                status = PodStatus(container, "Pending", null, ready: false, waiting: ("ImagePullBackOff", $"Back-off pulling image \"{image}\""));
                if (warn)
                    Event(ns, name, "Failed",
                        $"Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": not found");
                break;
            case Scenario.CrashLoopBackOff:
                status = PodStatus(container, "Running", ip, ready: false, waiting: ("CrashLoopBackOff", $"back-off 10s restarting failed container={containerName} pod={name}_{ns}"), crashed: true);
                if (warn)
                    Event(ns, name, "BackOff", $"Back-off restarting failed container {containerName} in pod {name}_{ns}");
                break;
            case Scenario.Unschedulable:
                const string why = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
                status = PodStatus(container, "Pending", null, ready: false);
                status["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "PodScheduled", ["status"] = "False", ["reason"] = "Unschedulable", ["message"] = why, ["lastTransitionTime"] = Now(),
                });
                status.Remove("containerStatuses");
                if (warn)
                    Event(ns, name, "FailedScheduling", why);
                break;
            default:
                return;
        }
        if (warn)
            _lives[$"{ns}/{name}"] = life with { Warned = true };
        if (JsonNode.DeepEquals(Comparable(pod["status"]), Comparable(status)))
            return;
        // Keep the times of what did not change, as the kubelet does.
        if (pod["status"]?["startTime"] is { } started)
            status["startTime"] = started.DeepClone();
        pod["status"] = status;
        store.Put(Pods, pod, "MODIFIED");
    }

    /// <summary>What the kubelet says when a pod's readiness probe fails: the HTTP status it got, or the refused connection.</summary>
    static string ProbeFailure(JsonNode container, string ip)
    {
        var probe = container["readinessProbe"];
        return probe?["httpGet"] is not null
            ? "HTTP probe failed with statuscode: 503"
            : $"dial tcp {ip}:{probe?["tcpSocket"]?["port"]?.ToJsonString() ?? "80"}: connect: connection refused";
    }

    void UpdateStatus(JsonObject deployment, string ns, string name, string replicaSet, string hash, int replicas, int maxUnavailable)
    {
        var pods = OwnedPods(ns, name);
        var updated = pods.Count(p => Hash(p) == hash);
        var ready = pods.Count(Ready);
        var updatedReady = pods.Count(p => Hash(p) == hash && Ready(p));
        var key = (ns, name);
        var now = DateTimeOffset.UtcNow;
        // Progress, as the controller counts it: a new template, a scaled replica set, or a new pod that became available.
        var last = _progress.GetValueOrDefault(key);
        if (last is null || last.Hash != hash || last.Pods != pods.Count || updatedReady > last.Ready)
            _progress[key] = last = new Progress(hash, now, pods.Count, updatedReady);
        else if (updatedReady < last.Ready)
            _progress[key] = last = last with { Ready = updatedReady };
        var complete = updated == replicas && updatedReady == replicas && pods.Count == replicas;

        var status = new JsonObject { ["observedGeneration"] = deployment["metadata"]!["generation"]!.GetValue<long>() };
        SetCount(status, "replicas", pods.Count);
        SetCount(status, "updatedReplicas", updated);
        SetCount(status, "readyReplicas", ready);
        SetCount(status, "availableReplicas", ready);
        SetCount(status, "unavailableReplicas", Math.Max(0, pods.Count - ready));
        var previous = deployment["status"]?["conditions"] as JsonArray;
        var available = ready >= replicas - maxUnavailable
            ? Condition(previous, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
            : Condition(previous, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.");
        var progressing = complete
            ? Condition(previous, "Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{replicaSet}\" has successfully progressed.")
            : now - last.At > ProgressDeadline
                ? Condition(previous, "Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet \"{replicaSet}\" has timed out progressing.")
                : Condition(previous, "Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{replicaSet}\" is progressing.");
        status["conditions"] = new JsonArray(available, progressing);
        if (JsonNode.DeepEquals(Comparable(deployment["status"]), Comparable(status)))
            return;
        var stored = store.Get(Deployments, ns, name)!;
        if (stored["metadata"]!["generation"]!.GetValue<long>() != status["observedGeneration"]!.GetValue<long>())
            return;
        stored["status"] = status;
        store.Put(Deployments, stored, "MODIFIED");
    }

    /// <summary>A status without its timestamps, to tell whether anything really changed.</summary>
    static JsonNode? Comparable(JsonNode? status)
    {
        if (status?.DeepClone() is not JsonObject copy)
            return null;
        copy.Remove("startTime");
        foreach (var condition in (copy["conditions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            condition.Remove("lastUpdateTime");
            condition.Remove("lastTransitionTime");
            condition.Remove("lastProbeTime");
        }
        foreach (var container in (copy["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>())
            container["state"]?["running"]?.AsObject().Remove("startedAt");
        return copy;
    }

    /// <summary>The Deployment status omits zero counts (omitempty), as the real one does.</summary>
    static void SetCount(JsonObject status, string field, int value)
    {
        if (value != 0)
            status[field] = value;
    }

    static JsonObject Condition(JsonArray? previous, string type, string status, string reason, string message)
    {
        var before = (previous ?? []).OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);
        var same = before?["status"]?.GetValue<string>() == status && before?["reason"]?.GetValue<string>() == reason;
        return new JsonObject
        {
            ["type"] = type, ["status"] = status, ["reason"] = reason, ["message"] = message,
            ["lastUpdateTime"] = same ? before!["lastUpdateTime"]?.DeepClone() : Now(),
            ["lastTransitionTime"] = before?["status"]?.GetValue<string>() == status ? before["lastTransitionTime"]?.DeepClone() : Now(),
        };
    }

    static int IntOrPercent(JsonNode? value, int replicas, bool roundUp, string fallback)
    {
        var text = value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number ? v.GetValue<int>().ToString(CultureInfo.InvariantCulture)
            : value?.GetValue<string>() ?? fallback;
        if (!text.EndsWith('%'))
            return int.Parse(text, CultureInfo.InvariantCulture);
        var share = replicas * int.Parse(text[..^1], CultureInfo.InvariantCulture) / 100.0;
        return (int)(roundUp ? Math.Ceiling(share) : Math.Floor(share));
    }

    List<JsonObject> OwnedPods(string ns, string deployment) =>
        store.List(Pods, ns).Where(p => p["metadata"]?["labels"]?[OwnerLabel]?.GetValue<string>() == deployment).ToList();

    void RemovePod(string ns, JsonObject pod)
    {
        var name = pod["metadata"]!["name"]!.GetValue<string>();
        store.Remove(Pods, ns, name);
        _lives.TryRemove($"{ns}/{name}", out _);
    }

    static string? Hash(JsonObject pod) => pod["metadata"]?["labels"]?[HashLabel]?.GetValue<string>();

    public static bool Ready(JsonObject pod) =>
        (pod["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Any(c => c["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True");

    static JsonObject PodStatus(JsonNode container, string phase, string? ip, bool ready, (string Reason, string? Message)? waiting = null, bool crashed = false)
    {
        var running = phase == "Running" && waiting is null;
        var state = waiting is { } w
            ? new JsonObject { ["waiting"] = new JsonObject { ["reason"] = w.Reason, ["message"] = w.Message } }
            : new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Now() } };
        var containerStatus = new JsonObject
        {
            ["name"] = container["name"]!.GetValue<string>(), ["image"] = container["image"]!.GetValue<string>(), ["ready"] = ready,
            ["restartCount"] = crashed ? 3 : 0, ["started"] = running, ["state"] = state,
        };
        if (crashed)
            containerStatus["lastState"] = new JsonObject
            {
                ["terminated"] = new JsonObject { ["exitCode"] = 1, ["reason"] = "Error", ["startedAt"] = Now(), ["finishedAt"] = Now() },
            };
        var status = new JsonObject
        {
            ["phase"] = phase,
            ["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "PodScheduled", ["status"] = "True" },
                new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" }),
            ["containerStatuses"] = new JsonArray(containerStatus),
        };
        if (ip is not null)
        {
            status["podIP"] = ip;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip });
            status["startTime"] = Now();
        }
        return status;
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

    static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
