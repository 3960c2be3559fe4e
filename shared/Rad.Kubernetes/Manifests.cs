using System.Text;
using System.Text.Json.Nodes;
using Rad.Contracts;

namespace Rad.Kubernetes;

/// <summary>Read-only registry credentials for an imagePullSecret, for the repositories under <paramref name="PathPrefix"/> on <paramref name="Server"/>; never logged.</summary>
public sealed record PullCredentials(string Server, string Username, string Password, string PathPrefix = "");

/// <summary>
/// The objects RAD applies for one application: its namespace, an imagePullSecret when the registry needs
/// credentials, its Deployments and a Service. Labels app.kubernetes.io/name and app.kubernetes.io/managed-by=rad; the
/// commit as the annotation rad/commit. An application runs as one Deployment NAME (rolling, recreate, and the stable
/// set of a canary), as two slots NAME-blue and NAME-green (blue-green), and during a canary also as NAME-canary; the
/// pods of a slot or canary carry the label rad/slot, which the Service's selector names for blue-green only.
/// </summary>
public static class Manifests
{
    public const string NameLabel = "app.kubernetes.io/name";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string SlotLabel = "rad/slot";
    public const string CommitAnnotation = "rad/commit";

    /// <summary>On a blue-green Service: when the slot it does not select may be deleted (RFC 3339, UTC).</summary>
    public const string KeepPreviousUntilAnnotation = "rad/keep-previous-until";

    public const string Blue = "blue";
    public const string Green = "green";
    public const string Canary = "canary";
    public const int NodePortMin = 30000;
    public const int NodePortMax = 32767;

    /// <summary>The statuses a Kubernetes httpGet probe counts as success (kubelet: 200 <= code < 400), whatever rad.json asks.</summary>
    public const int ProbeMinStatus = 200;
    public const int ProbeMaxStatus = 399;

    const int ProgressDeadlineSeconds = 120;

    /// <summary>How long a liveness probe may fail before the kubelet restarts the container: longer than readiness, so a busy replica leaves the Service first.</summary>
    static readonly TimeSpan LivenessFailureWindow = TimeSpan.FromSeconds(30);

    /// <summary>The Deployment of an application's slot ("blue", "green", "canary"), or its main Deployment when <paramref name="slot"/> is null.</summary>
    public static string DeploymentName(string application, string? slot) => slot is null ? application : $"{application}-{slot}";

    public static string OtherSlot(string slot) => slot == Blue ? Green : Blue;

    /// <summary>The labels that select an application's pods: all of them, or one slot's.</summary>
    public static JsonObject Selector(string application, string? slot)
    {
        var selector = new JsonObject { [NameLabel] = application };
        if (slot is not null)
            selector[SlotLabel] = slot;
        return selector;
    }

    /// <summary>The same selector as a label selector query ("k=v,k=v").</summary>
    public static string SelectorQuery(string application, string? slot) =>
        string.Join(",", Selector(application, slot).Select(p => $"{p.Key}={p.Value!.GetValue<string>()}"));

    /// <summary>
    /// Why the application's health check cannot be a Kubernetes probe, or null when it can. The kubelet counts every
    /// status from 200 to 399 as success and nothing else, so an "expect" that accepts a status outside that range
    /// would never pass (or pass where rad.json says it must not) and is refused before anything is applied.
    /// </summary>
    public static string? ProbeProblem(ApplicationSpec application)
    {
        var health = application.Health ?? HealthCheck.TcpDefault;
        if (health.Path is null || HealthStatus.Range(health.Expect) is not var (min, max))
            return null;
        return min < ProbeMinStatus || max > ProbeMaxStatus
            ? $"{application.Name}'s health.expect \"{health.Expect}\" accepts statuses ({min}-{max}) that a Kubernetes probe cannot: the kubelet counts only {ProbeMinStatus}-{ProbeMaxStatus} as success. Make the check answer within {ProbeMinStatus}-{ProbeMaxStatus} and expect \"2xx\" or \"2xx-3xx\""
            : null;
    }

    /// <summary>True when the probe accepts more statuses than rad.json's expect ("2xx" is checked as 200-399 by the kubelet).</summary>
    public static bool ProbeIsLooserThanExpect(HealthCheck health) =>
        health.Path is not null && HealthStatus.Range(health.Expect) is var (min, max) && min >= ProbeMinStatus && max <= ProbeMaxStatus
        && (min, max) != (ProbeMinStatus, ProbeMaxStatus);

    public static JsonObject Namespace(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { [ManagedByLabel] = "rad" } },
    };

    /// <summary>The Service type: NodePort when the port lies in the node-port range (as the original RAD used), else the configured type or ClusterIP.</summary>
    public static string ServiceType(ApplicationSpec application) =>
        application.Port is >= NodePortMin and <= NodePortMax ? "NodePort" : application.ServiceType ?? "ClusterIP";

    public static string PullSecretName(string server) =>
        "rad-pull-" + new string(server.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');

    /// <summary>One Secret per host and path prefix, so credentials for two teams' paths on one registry never replace each other.</summary>
    public static string PullSecretName(PullCredentials credentials)
    {
        var name = PullSecretName(credentials.PathPrefix.Length == 0 ? credentials.Server : $"{credentials.Server}/{credentials.PathPrefix}");
        if (name.Length <= 253)
            return name;
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..12];
        return $"{name[..240].TrimEnd('-')}-{hash}";
    }

    /// <summary>A kubernetes.io/dockerconfigjson Secret for the registry.</summary>
    public static JsonObject PullSecret(string ns, PullCredentials credentials)
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}"));
        var config = new JsonObject
        {
            ["auths"] = new JsonObject
            {
                [credentials.Server] = new JsonObject { ["username"] = credentials.Username, ["password"] = credentials.Password, ["auth"] = auth },
            },
        };
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = PullSecretName(credentials), ["namespace"] = ns, ["labels"] = new JsonObject { [ManagedByLabel] = "rad" } },
            ["type"] = "kubernetes.io/dockerconfigjson",
            ["data"] = new JsonObject { [".dockerconfigjson"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(config.ToJsonString())) },
        };
    }

    /// <summary>
    /// One of the application's Deployments: the main one (<paramref name="slot"/> null) or a slot's, with
    /// <paramref name="replicas"/> (default: the application's). Pods get readiness and liveness probes from the health
    /// check; rolling and blue-green/canary sets update with maxUnavailable 0 and maxSurge 25% (rounded up, so at
    /// least one new pod at a time, and at most a quarter more pods than asked while it rolls), recreate with Recreate.
    /// </summary>
    public static JsonObject Deployment(string ns, ApplicationSpec application, string image, string commit, string? pullSecret,
        string? slot = null, int? replicas = null)
    {
        var health = application.Health ?? HealthCheck.TcpDefault;
        var container = new JsonObject
        {
            ["name"] = application.Name,
            ["image"] = image,
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "app", ["containerPort"] = application.ContainerPort, ["protocol"] = "TCP" }),
            ["readinessProbe"] = Probe(application, health, readiness: true),
            ["livenessProbe"] = Probe(application, health, readiness: false),
        };
        if (Resources(application.Resources) is { } resources)
            container["resources"] = resources;
        var podSpec = new JsonObject { ["containers"] = new JsonArray(container) };
        if (pullSecret is not null)
            podSpec["imagePullSecrets"] = new JsonArray(new JsonObject { ["name"] = pullSecret });
        var selector = Selector(application.Name, slot);
        var labels = Labels(application.Name, slot);
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = Metadata(ns, DeploymentName(application.Name, slot), labels, commit),
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas ?? application.Replicas,
                ["progressDeadlineSeconds"] = ProgressDeadlineSeconds,
                ["strategy"] = Strategy(application),
                ["selector"] = new JsonObject { ["matchLabels"] = selector },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["labels"] = labels.DeepClone(),
                        ["annotations"] = new JsonObject { [CommitAnnotation] = commit },
                    },
                    ["spec"] = podSpec,
                },
            },
        };
    }

    /// <summary>
    /// The application's Service: it selects all of the application's pods (the main Deployment and a canary), or for
    /// blue-green the pods of <paramref name="slot"/> only; <paramref name="keepPreviousUntil"/> tells when the other slot goes.
    /// </summary>
    public static JsonObject Service(string ns, ApplicationSpec application, string commit, string? slot = null, DateTimeOffset? keepPreviousUntil = null)
    {
        var type = ServiceType(application);
        var port = new JsonObject { ["name"] = "app", ["port"] = application.Port, ["targetPort"] = application.ContainerPort, ["protocol"] = "TCP" };
        // A port in the node-port range is the node port itself; outside it, the cluster allocates one.
        if (application.Port is >= NodePortMin and <= NodePortMax)
            port["nodePort"] = application.Port;
        var metadata = Metadata(ns, application.Name, Labels(application.Name, null), commit);
        if (keepPreviousUntil is { } until)
            metadata["annotations"]![KeepPreviousUntilAnnotation] = RolloutPolicy.FormatKeptUntil(until);
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["type"] = type,
                ["selector"] = Selector(application.Name, slot),
                ["ports"] = new JsonArray(port),
            },
        };
    }

    /// <summary>
    /// What a first deployment of the application creates: its Deployment (for blue-green the blue slot) and a Service
    /// that selects it. Later deployments change these by the application's strategy.
    /// </summary>
    public static IReadOnlyList<JsonObject> Workload(string ns, ApplicationSpec application, string image, string commit, string? pullSecret)
    {
        var slot = application.Rollout?.Strategy == RolloutPolicy.BlueGreen ? Blue : null;
        return [Deployment(ns, application, image, commit, pullSecret, slot), Service(ns, application, commit, slot)];
    }

    /// <summary>Everything for a first deployment of one application, in the order it is applied.</summary>
    public static IReadOnlyList<JsonObject> ForApplication(string ns, ApplicationSpec application, string image, string commit, PullCredentials? credentials)
    {
        var objects = new List<JsonObject> { Namespace(ns) };
        if (credentials is not null)
            objects.Add(PullSecret(ns, credentials));
        objects.AddRange(Workload(ns, application, image, commit, credentials is null ? null : PullSecretName(credentials)));
        return objects;
    }

    /// <summary>Whole seconds for a probe (the kubelet's granularity), at least one.</summary>
    public static int ProbeSeconds(TimeSpan duration) => Math.Max(1, (int)Math.Ceiling(duration.TotalSeconds));

    static JsonObject Probe(ApplicationSpec application, HealthCheck health, bool readiness)
    {
        var probe = health.Path is null
            ? new JsonObject { ["tcpSocket"] = new JsonObject { ["port"] = application.ContainerPort } }
            : new JsonObject { ["httpGet"] = new JsonObject { ["path"] = health.Path, ["port"] = application.ContainerPort, ["scheme"] = "HTTP" } };
        var period = ProbeSeconds(health.Interval);
        probe["periodSeconds"] = period;
        probe["timeoutSeconds"] = ProbeSeconds(health.Timeout);
        // Readiness: `successes` passes in a row before a pod takes traffic. Liveness must have 1 (the API server refuses more).
        probe["successThreshold"] = readiness ? health.Successes : 1;
        probe["failureThreshold"] = readiness ? 3 : Math.Max(3, (int)Math.Ceiling(LivenessFailureWindow.TotalSeconds / period));
        return probe;
    }

    static JsonObject Strategy(ApplicationSpec application) => application.Rollout?.Strategy == RolloutPolicy.Recreate
        ? new JsonObject { ["type"] = "Recreate" }
        : new JsonObject
        {
            ["type"] = "RollingUpdate",
            ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = 0, ["maxSurge"] = "25%" },
        };

    static JsonObject Metadata(string ns, string name, JsonObject labels, string commit) => new()
    {
        ["name"] = name,
        ["namespace"] = ns,
        ["labels"] = labels,
        ["annotations"] = new JsonObject { [CommitAnnotation] = commit },
    };

    static JsonObject Labels(string application, string? slot)
    {
        var labels = new JsonObject { [NameLabel] = application, [ManagedByLabel] = "rad" };
        if (slot is not null)
            labels[SlotLabel] = slot;
        return labels;
    }

    static JsonObject? Resources(ApplicationResources? resources)
    {
        if (resources is null)
            return null;
        var result = new JsonObject();
        var requests = Pair(resources.CpuRequest, resources.MemoryRequest);
        var limits = Pair(resources.CpuLimit, resources.MemoryLimit);
        if (requests is not null)
            result["requests"] = requests;
        if (limits is not null)
            result["limits"] = limits;
        return result.Count == 0 ? null : result;
    }

    static JsonObject? Pair(string? cpu, string? memory)
    {
        var pair = new JsonObject();
        if (cpu is not null)
            pair["cpu"] = cpu;
        if (memory is not null)
            pair["memory"] = memory;
        return pair.Count == 0 ? null : pair;
    }
}
