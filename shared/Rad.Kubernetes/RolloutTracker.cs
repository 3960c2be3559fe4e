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
    public async Task<int> WaitAsync(string ns, string name, TimeSpan deadline, CancellationToken token)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(deadline);
        var changes = Channel.CreateUnbounded<(string Kind, JsonObject Object)>();
        string? lastProblem = null;
        var watchers = new[]
        {
            FollowAsync("apps/v1", "Deployment", ns, null, $"metadata.name={name}", changes.Writer, limit.Token),
            FollowAsync("v1", "Pod", ns, $"{Manifests.NameLabel}={name}", null, changes.Writer, limit.Token),
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
                    if (Condition(obj, "Progressing") is { } progressing && progressing["reason"]?.GetValue<string>() == "ProgressDeadlineExceeded")
                        throw new RolloutFailedException($"progress deadline exceeded: {progressing["message"]?.GetValue<string>()}{(lastProblem is null ? "" : $"; {lastProblem}")}");
                }
                else if (Problem(obj) is { } problem)
                {
                    lastProblem = problem.Text;
                    if (problem.Fatal)
                        throw new RolloutFailedException(await WithEventAsync(ns, obj, problem.Text, limit.Token));
                }
            }
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            throw new RolloutFailedException($"deployment {ns}/{name} did not become available within {deadline.TotalSeconds:0.#} s{(lastProblem is null ? "" : $"; last problem: {lastProblem}")}");
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
        return null;
    }

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

    static JsonObject? Condition(JsonObject deployment, string type) =>
        (deployment["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);
}
