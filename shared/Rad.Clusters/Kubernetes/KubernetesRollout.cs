using System.Text.Json.Nodes;
using Rad.Contracts;
using Rad.Kubernetes;

namespace Rad.Clusters.Kubernetes;

/// <summary>
/// One application's rollout on a Kubernetes cluster, whatever its strategy: applies its Deployments and Service, waits
/// for them, reports steps, and remembers whether it has changed what serves the application (<see cref="Changed"/>).
/// </summary>
public sealed class KubernetesRollout(IKubernetesApi client, DeployApplication command, string ns, string? pullSecret, IRolloutProgress progress,
    DeployerOptions options, ILogger logger, CancellationToken token)
{
    public const string EndpointSliceServiceLabel = "kubernetes.io/service-name";

    /// <summary>Whether what serves the application has been changed (a failed release then puts the previous revision back).</summary>
    public bool Changed { get; set; }

    /// <summary>The Service as last applied (for the endpoint RAD reports); null until applied.</summary>
    public JsonObject? Service { get; private set; }

    public DeployApplication Command => command;
    public ApplicationSpec Application => command.Application;
    public string Namespace => ns;
    public ILogger Logger => logger;
    public CancellationToken Token => token;
    public HealthCheck Health => command.Application.Health ?? HealthCheck.TcpDefault;

    /// <summary>The Deployment of <paramref name="slot"/> (null: the main one) at the command's image.</summary>
    public JsonObject Deployment(string? slot, int? replicas = null) =>
        Manifests.Deployment(ns, Application, command.ImageReference, command.Commit, pullSecret, slot, replicas);

    public string DeploymentName(string? slot) => Manifests.DeploymentName(Application.Name, slot);

    /// <summary>The pods of one of the application's Deployments: a slot's by its label, the main one's by having none.</summary>
    public string PodSelector(string? slot) =>
        slot is null ? $"{Manifests.NameLabel}={Application.Name},!{Manifests.SlotLabel}" : Manifests.SelectorQuery(Application.Name, slot);

    /// <summary>Applies a Deployment; true when that changed its spec (a new generation to roll out).</summary>
    public async Task<bool> ApplyAsync(JsonObject deployment, JsonObject? before)
    {
        var applied = await client.ApplyAsync(deployment, token);
        var changed = before?["metadata"]?["generation"]?.GetValue<long>() != applied["metadata"]?["generation"]?.GetValue<long>();
        logger.LogInformation("Applied Deployment {Namespace}/{Deployment} for deployment {DeploymentId}: generation {Generation}{Change}, {Replicas} replica(s) of {Image}",
            ns, ApplicationObjects.Name(applied), command.DeploymentId, applied["metadata"]?["generation"]?.GetValue<long>(), changed ? "" : " (unchanged)",
            ApplicationObjects.Replicas(applied), ApplicationObjects.Image(applied));
        return changed;
    }

    /// <summary>Applies the Service, selecting all of the application's pods or one slot's.</summary>
    public async Task ApplyServiceAsync(string? slot, DateTimeOffset? keepPreviousUntil)
    {
        Service = await client.ApplyAsync(Manifests.Service(ns, Application, command.Commit, slot, keepPreviousUntil), token);
    }

    /// <summary>
    /// A Service that selects the application's pods by name alone (an earlier RAD's, or another strategy's) would take
    /// a new blue-green slot's pods as soon as they are ready, before their validation ends and before the switch. This
    /// narrows it, as it is otherwise, to the main Deployment's pods of the one pod template that serves now (the label
    /// the Deployment controller puts on them); the switch replaces the selector whole. Nothing is narrowed when those
    /// pods are not of one template (that Deployment is itself mid-rollout): it logs why and the Service stays as it was.
    /// </summary>
    public async Task NarrowServiceToMainAsync(JsonObject service)
    {
        var selector = service["spec"]?["selector"] as JsonObject;
        if (selector is null || selector.ContainsKey(Manifests.SlotLabel) || selector.ContainsKey(PodTemplateHashLabel))
            return;
        var pods = await client.ListAsync("v1", "Pod", ns, PodSelector(null), null, token);
        var hashes = (pods["items"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(p => p["metadata"]?["deletionTimestamp"] is null)
            .Select(p => p["metadata"]?["labels"]?[PodTemplateHashLabel]?.GetValue<string>()).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (hashes.Count != 1)
        {
            logger.LogWarning("Service {Namespace}/{Service} still selects all of its pods, the new slot's too once ready: the pods of {Deployment} are of {Templates} templates, for deployment {DeploymentId}",
                ns, Application.Name, DeploymentName(null), hashes.Count, command.DeploymentId);
            return;
        }
        var narrowed = (JsonObject)selector.DeepClone();
        narrowed[PodTemplateHashLabel] = hashes[0];
        var metadata = new JsonObject { ["name"] = Application.Name, ["namespace"] = ns };
        foreach (var key in new[] { "labels", "annotations" })
            if (service["metadata"]?[key] is JsonObject values)
                metadata[key] = values.DeepClone();
        var spec = new JsonObject { ["selector"] = narrowed };
        foreach (var key in new[] { "type", "ports" })
            if (service["spec"]?[key] is { } value)
                spec[key] = value.DeepClone();
        Service = await client.ApplyAsync(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Service", ["metadata"] = metadata, ["spec"] = spec }, token);
        logger.LogInformation("Narrowed Service {Namespace}/{Service} to the pods of {Deployment} ({Label}={Hash}) until the switch, for deployment {DeploymentId}",
            ns, Application.Name, DeploymentName(null), PodTemplateHashLabel, hashes[0], command.DeploymentId);
    }

    /// <summary>The label the Deployment controller gives the pods of each of a Deployment's pod templates.</summary>
    public const string PodTemplateHashLabel = "pod-template-hash";

    /// <summary>Waits until the Deployment of <paramref name="slot"/> has rolled out; its available replicas.</summary>
    public Task<int> WaitAsync(string? slot) =>
        new RolloutTracker(client).WaitAsync(ns, DeploymentName(slot), PodSelector(slot), options.RolloutTimeout, token);

    /// <summary>Watches the slot's pods for <paramref name="duration"/>: each must stay ready and not restart.</summary>
    public Task HoldAsync(string slot, int pods, TimeSpan duration) =>
        new RolloutTracker(client).HoldAsync(ns, PodSelector(slot), pods, duration, token);

    public async Task DeleteAsync(string? slot, string why)
    {
        await client.DeleteAsync("apps/v1", "Deployment", ns, DeploymentName(slot), token);
        logger.LogInformation("Deleted Deployment {Namespace}/{Deployment} for deployment {DeploymentId}: {Reason}", ns, DeploymentName(slot), command.DeploymentId, why);
    }

    public Task StepAsync(string step, string state, string? message) => progress.StepAsync(step, state, message);

    /// <summary>The health check in words, as the probes run it: "GET /healthz answering 200-399, 3 times in a row".</summary>
    public string CheckText()
    {
        var health = Health;
        var check = health.Path is null
            ? $"TCP connect to port {Application.ContainerPort}"
            : $"GET {health.Path} on port {Application.ContainerPort} answering {Manifests.ProbeMinStatus}-{Manifests.ProbeMaxStatus}";
        return health.Successes == 1 ? check : $"{check}, {health.Successes} times in a row";
    }

    /// <summary>
    /// Waits until the Service's EndpointSlices list exactly the ready pods of <paramref name="slot"/> (null: the main
    /// Deployment's) as ready endpoints, so traffic has moved; says what it saw. A cluster that does not let RAD read
    /// EndpointSlices is not waited for (logged).
    /// </summary>
    public async Task<string> WaitForEndpointsAsync(string? slot)
    {
        if (Application.Replicas == 0)
            return "no replicas to route to";
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(options.RolloutTimeout);
        using var timer = new PeriodicTimer(options.PollInterval);
        var seen = "";
        try
        {
            while (true)
            {
                var pods = await client.ListAsync("v1", "Pod", ns, PodSelector(slot), null, limit.Token);
                var wanted = (pods["items"] as JsonArray ?? []).OfType<JsonObject>()
                    .Where(p => p["metadata"]?["deletionTimestamp"] is null && Ready(p))
                    .Select(p => p["metadata"]!["name"]!.GetValue<string>()).ToHashSet();
                var slices = await client.ListAsync("discovery.k8s.io/v1", "EndpointSlice", ns, $"{EndpointSliceServiceLabel}={Application.Name}", null, limit.Token);
                var endpoints = (slices["items"] as JsonArray ?? []).OfType<JsonObject>()
                    .SelectMany(s => s["endpoints"] as JsonArray ?? []).OfType<JsonObject>()
                    .Where(e => e["conditions"]?["ready"]?.GetValue<bool>() != false)
                    .Select(e => e["targetRef"]?["name"]?.GetValue<string>() ?? "?").ToHashSet();
                seen = $"{endpoints.Count} ready endpoint(s), {endpoints.Count(wanted.Contains)} of them pods of {DeploymentName(slot)}";
                if (wanted.Count > 0 && endpoints.SetEquals(wanted))
                    return $"{endpoints.Count} ready endpoint(s), all pods of {DeploymentName(slot)}";
                await timer.WaitForNextTickAsync(limit.Token);
            }
        }
        catch (KubernetesApiException e) when (e.Code is 403 or 404)
        {
            logger.LogWarning("Cannot read the EndpointSlices of Service {Namespace}/{Service} ({Reason}); not waiting for them to follow the switch", ns, Application.Name, e.Message);
            return "endpoints not readable, not waited for";
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            throw new RolloutFailedException(
                $"Service {ns}/{Application.Name} did not route to {DeploymentName(slot)} within {options.RolloutTimeout.TotalSeconds:0} s: {seen}");
        }
    }

    static bool Ready(JsonObject pod) =>
        (pod["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Any(c => c["type"]?.GetValue<string>() == "Ready" && c["status"]?.GetValue<string>() == "True");
}
