using System.Text;
using System.Text.Json.Nodes;
using Rad.Contracts;

namespace Rad.Kubernetes;

/// <summary>Registry credentials for an imagePullSecret; never logged.</summary>
public sealed record PullCredentials(string Server, string Username, string Password);

/// <summary>
/// The objects RAD applies for one application: its namespace, an imagePullSecret when the registry needs
/// credentials, a Deployment and a Service. Labels app.kubernetes.io/name and app.kubernetes.io/managed-by=rad; the
/// commit as the annotation rad/commit.
/// </summary>
public static class Manifests
{
    public const string NameLabel = "app.kubernetes.io/name";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string CommitAnnotation = "rad/commit";
    public const int NodePortMin = 30000;
    public const int NodePortMax = 32767;
    const int ProgressDeadlineSeconds = 120;

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
            ["metadata"] = new JsonObject { ["name"] = PullSecretName(credentials.Server), ["namespace"] = ns, ["labels"] = new JsonObject { [ManagedByLabel] = "rad" } },
            ["type"] = "kubernetes.io/dockerconfigjson",
            ["data"] = new JsonObject { [".dockerconfigjson"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(config.ToJsonString())) },
        };
    }

    public static JsonObject Deployment(string ns, ApplicationSpec application, string image, string commit, string? pullSecret)
    {
        var container = new JsonObject
        {
            ["name"] = application.Name,
            ["image"] = image,
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "app", ["containerPort"] = application.ContainerPort, ["protocol"] = "TCP" }),
            ["readinessProbe"] = new JsonObject
            {
                ["tcpSocket"] = new JsonObject { ["port"] = application.ContainerPort },
                ["periodSeconds"] = 2,
                ["failureThreshold"] = 3,
            },
        };
        if (Resources(application.Resources) is { } resources)
            container["resources"] = resources;
        var podSpec = new JsonObject { ["containers"] = new JsonArray(container) };
        if (pullSecret is not null)
            podSpec["imagePullSecrets"] = new JsonArray(new JsonObject { ["name"] = pullSecret });
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = Metadata(ns, application.Name, commit),
            ["spec"] = new JsonObject
            {
                ["replicas"] = application.Replicas,
                ["progressDeadlineSeconds"] = ProgressDeadlineSeconds,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { [NameLabel] = application.Name } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["labels"] = Labels(application.Name),
                        ["annotations"] = new JsonObject { [CommitAnnotation] = commit },
                    },
                    ["spec"] = podSpec,
                },
            },
        };
    }

    public static JsonObject Service(string ns, ApplicationSpec application, string commit)
    {
        var type = ServiceType(application);
        var port = new JsonObject { ["name"] = "app", ["port"] = application.Port, ["targetPort"] = application.ContainerPort, ["protocol"] = "TCP" };
        // A port in the node-port range is the node port itself; outside it, the cluster allocates one.
        if (application.Port is >= NodePortMin and <= NodePortMax)
            port["nodePort"] = application.Port;
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = Metadata(ns, application.Name, commit),
            ["spec"] = new JsonObject
            {
                ["type"] = type,
                ["selector"] = new JsonObject { [NameLabel] = application.Name },
                ["ports"] = new JsonArray(port),
            },
        };
    }

    /// <summary>Everything for one application, in the order it is applied.</summary>
    public static IReadOnlyList<JsonObject> ForApplication(string ns, ApplicationSpec application, string image, string commit, PullCredentials? credentials)
    {
        var objects = new List<JsonObject> { Namespace(ns) };
        if (credentials is not null)
            objects.Add(PullSecret(ns, credentials));
        objects.Add(Deployment(ns, application, image, commit, credentials is null ? null : PullSecretName(credentials.Server)));
        objects.Add(Service(ns, application, commit));
        return objects;
    }

    static JsonObject Metadata(string ns, string name, string commit) => new()
    {
        ["name"] = name,
        ["namespace"] = ns,
        ["labels"] = Labels(name),
        ["annotations"] = new JsonObject { [CommitAnnotation] = commit },
    };

    static JsonObject Labels(string name) => new() { [NameLabel] = name, [ManagedByLabel] = "rad" };

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
