using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Rad.Kubernetes;

/// <summary>Why a rollout did not complete, in the cluster's own words (pod status, events, conditions).</summary>
public sealed class RolloutFailedException(string message) : Exception(message);

/// <summary>
/// Follows a Deployment's rollout like `kubectl rollout status`, by watching (never polling) the Deployment and its
/// pods: done when status.observedGeneration has caught up with metadata.generation and the updated and available
/// replicas reach spec.replicas. It fails fast on what does not heal by itself (ImagePullBackOff, CrashLoopBackOff,
/// an unschedulable pod), on the Deployment's own ProgressDeadlineExceeded, and at the deadline; every failure names
/// the cause. A watch the server ends is resumed from the last resourceVersion seen; one it cannot resume (410 Gone)
/// starts over from a fresh list.
/// </summary>
public sealed class RolloutTracker(IKubernetesApi api)
{
    /// <summary>Waits for the Deployment whose pods carry app.kubernetes.io/name=<paramref name="name"/> (RAD's main Deployment).</summary>
    public Task<int> WaitAsync(string ns, string name, TimeSpan deadline, CancellationToken token) =>
        WaitAsync(ns, name, $"{Manifests.NameLabel}={name}", deadline, token);

    /// <summary>
    /// Waits until the Deployment <paramref name="name"/>, whose pods <paramref name="podSelector"/> selects, has rolled
    /// out its current generation; returns its available replicas. Throws RolloutFailedException naming the cause.
    /// </summary>
    public async Task<int> WaitAsync(string ns, string name, string podSelector, TimeSpan deadline, CancellationToken token)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(deadline);
        var changes = Channel.CreateUnbounded<(string Kind, JsonObject Object)>();
        (string Text, JsonObject Pod)? lastProblem = null;
        var watchers = new[]
        {
            FollowAsync("apps/v1", "Deployment", ns, null, $"metadata.name={name}", changes.Writer, limit.Token),
            FollowAsync("v1", "Pod", ns, podSelector, null, changes.Writer, limit.Token),
        };
        try
        {
            while (true)
            {
                var (kind, obj) = await changes.Reader.ReadAsync(limit.Token);
                if (kind == "Deployment")
                {
                    if (Complete(obj) is { } ready)
                        return ready;
                    // Status speaks of the current generation only once the controller has observed it (as kubectl rollout status checks).
                    if (Observed(obj) && Condition(obj, "Progressing") is { } progressing && progressing["reason"]?.GetValue<string>() == "ProgressDeadlineExceeded")
                        throw new RolloutFailedException($"progress deadline exceeded: {progressing["message"]?.GetValue<string>()}" +
                            (lastProblem is { } last ? $"; {await WithEventAsync(ns, last.Pod, last.Text, token)}" : ""));
                }
                else if (Problem(obj) is { } problem)
                {
                    lastProblem = (problem.Text, obj);
                    if (problem.Fatal)
                        throw new RolloutFailedException(await WithEventAsync(ns, obj, problem.Text, limit.Token));
                }
                else if (lastProblem is { } seen && seen.Pod["metadata"]?["name"]?.GetValue<string>() == obj["metadata"]?["name"]?.GetValue<string>())
                {
                    lastProblem = null;
                }
            }
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            throw new RolloutFailedException($"deployment {ns}/{name} did not become available within {deadline.TotalSeconds:0.#} s" +
                (lastProblem is { } last ? $"; last problem: {await WithEventAsync(ns, last.Pod, last.Text, token)}" : ""));
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
        finally
        {
            await limit.CancelAsync();
            await Task.WhenAll(watchers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    /// <summary>
    /// Watches the pods <paramref name="podSelector"/> selects for <paramref name="duration"/> and throws
    /// RolloutFailedException as soon as one stops being ready or its container restarts, naming the pod and the
    /// kubelet's words; at the start every one of <paramref name="expected"/> pods must be ready.
    /// </summary>
    public async Task HoldAsync(string ns, string podSelector, int expected, TimeSpan duration, CancellationToken token)
    {
        var start = await api.ListAsync("v1", "Pod", ns, podSelector, null, token);
        var pods = (start["items"] as JsonArray ?? []).OfType<JsonObject>().Where(p => p["metadata"]?["deletionTimestamp"] is null).ToList();
        var restarts = pods.ToDictionary(PodName, Restarts);
        if (pods.FirstOrDefault(p => !Ready(p)) is { } unready)
            throw new RolloutFailedException(await WithEventAsync(ns, unready, Problem(unready)?.Text ?? $"pod {PodName(unready)} is not ready", token));
        if (pods.Count < expected)
            throw new RolloutFailedException($"only {pods.Count} of {expected} pod(s) selected by {podSelector} are there");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(duration);
        var changes = Channel.CreateUnbounded<(string Kind, JsonObject Object)>();
        var watcher = FollowAsync("v1", "Pod", ns, podSelector, null, changes.Writer, limit.Token);
        try
        {
            while (true)
            {
                var (_, pod) = await changes.Reader.ReadAsync(limit.Token);
                var name = PodName(pod);
                if (pod["metadata"]?["deletionTimestamp"] is not null)
                    continue;
                if (restarts.TryGetValue(name, out var before) && Restarts(pod) > before)
                    throw new RolloutFailedException(await WithEventAsync(ns, pod,
                        $"pod {name} restarted ({Restarts(pod)} restarts){(Problem(pod) is { } crash ? $": {crash.Text}" : "")}", token));
                if (restarts.ContainsKey(name) && !Ready(pod))
                    throw new RolloutFailedException(await WithEventAsync(ns, pod, Problem(pod)?.Text ?? $"pod {name} stopped being ready", token));
            }
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            // Held for the whole duration.
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
        finally
        {
            await limit.CancelAsync();
            await watcher.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>List, then watch from the list's resourceVersion; resume after the server ends a watch, re-list after 410 Gone.</summary>
    async Task FollowAsync(string apiVersion, string kind, string ns, string? labels, string? fields, ChannelWriter<(string, JsonObject)> changes, CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                var list = await api.ListAsync(apiVersion, kind, ns, labels, fields, token);
                foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>())
                    await changes.WriteAsync((kind, item), token);
                var version = list["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "0";
                try
                {
                    while (!token.IsCancellationRequested)
                    {
                        await foreach (var change in api.WatchAsync(apiVersion, kind, ns, labels, fields, version, token))
                        {
                            version = change.Object["metadata"]?["resourceVersion"]?.GetValue<string>() ?? version;
                            if (change.Type is "ADDED" or "MODIFIED")
                                await changes.WriteAsync((kind, change.Object), token);
                        }
                    }
                }
                catch (KubernetesApiException e) when (e.Code == 410)
                {
                    // Too old to resume: start over from a fresh list.
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            changes.TryComplete(e);
        }
    }

    /// <summary>Ready replicas once the rollout of the current generation is complete; null while it is not.</summary>
    public static int? Complete(JsonObject deployment)
    {
        var generation = deployment["metadata"]?["generation"]?.GetValue<long>() ?? 0;
        var status = deployment["status"] as JsonObject;
        var observed = status?["observedGeneration"]?.GetValue<long>() ?? 0;
        var desired = deployment["spec"]?["replicas"]?.GetValue<int>() ?? 1;
        var updated = status?["updatedReplicas"]?.GetValue<int>() ?? 0;
        var available = status?["availableReplicas"]?.GetValue<int>() ?? 0;
        var total = status?["replicas"]?.GetValue<int>() ?? 0;
        return observed >= generation && updated >= desired && available >= desired && total <= desired ? available : null;
    }

    /// <summary>What a pod's status says is wrong, and whether waiting cannot fix it.</summary>
    public static (string Text, bool Fatal)? Problem(JsonObject pod)
    {
        var name = pod["metadata"]?["name"]?.GetValue<string>();
        foreach (var container in (pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var waiting = container["state"]?["waiting"];
            var reason = waiting?["reason"]?.GetValue<string>();
            var message = waiting?["message"]?.GetValue<string>();
            switch (reason)
            {
                case "ImagePullBackOff" or "InvalidImageName" or "ErrImageNeverPull":
                    return ($"pod {name}: {reason}: {message}", true);
                case "ErrImagePull":
                    return ($"pod {name}: {reason}: {message}", false);
                case "CrashLoopBackOff":
                    var terminated = container["lastState"]?["terminated"];
                    var last = terminated is null ? "" :
                        $"; last termination: {terminated["reason"]?.GetValue<string>()} (exit code {terminated["exitCode"]?.GetValue<int>()})";
                    return ($"pod {name}: container {container["name"]?.GetValue<string>()} is in CrashLoopBackOff, restarted {container["restartCount"]?.GetValue<int>()} times{last}", true);
                case "CreateContainerConfigError" or "CreateContainerError" or "RunContainerError":
                    return ($"pod {name}: {reason}: {message}", true);
            }
        }
        var scheduled = (pod["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == "PodScheduled");
        if (scheduled?["status"]?.GetValue<string>() == "False" && scheduled["reason"]?.GetValue<string>() == "Unschedulable")
            return ($"pod {name} cannot be scheduled: {scheduled["message"]?.GetValue<string>()}", true);
        // Running but failing its readiness probe: it may yet pass, so only the progress deadline ends the wait.
        if (pod["status"]?["phase"]?.GetValue<string>() == "Running" && !Ready(pod)
            && (pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>().Any(c => c["state"]?["running"] is not null))
            return ($"pod {name} is running but does not pass its readiness probe", false);
        return null;
    }

    static bool Ready(JsonObject pod) =>
        (pod["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Any(c => c["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True");

    static string PodName(JsonObject pod) => pod["metadata"]?["name"]?.GetValue<string>() ?? "?";

    static int Restarts(JsonObject pod) =>
        (pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>().Sum(c => c["restartCount"]?.GetValue<int>() ?? 0);

    /// <summary>Adds the pod's latest Warning event (the kubelet's or scheduler's own words) to the problem.</summary>
    async Task<string> WithEventAsync(string ns, JsonObject pod, string problem, CancellationToken token)
    {
        try
        {
            var events = await api.ListAsync("v1", "Event", ns, null, $"involvedObject.name={pod["metadata"]?["name"]?.GetValue<string>()}", token);
            var warning = (events["items"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(e => e["type"]?.GetValue<string>() == "Warning")
                .MaxBy(e => e["lastTimestamp"]?.GetValue<string>() ?? "");
            return warning is null ? problem : $"{problem} (event {warning["reason"]?.GetValue<string>()}: {warning["message"]?.GetValue<string>()})";
        }
        catch (KubernetesApiException)
        {
            return problem;
        }
    }

    static bool Observed(JsonObject deployment) =>
        (deployment["status"]?["observedGeneration"]?.GetValue<long>() ?? 0) >= (deployment["metadata"]?["generation"]?.GetValue<long>() ?? 0);

    static JsonObject? Condition(JsonObject deployment, string type) =>
        (deployment["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);
}
