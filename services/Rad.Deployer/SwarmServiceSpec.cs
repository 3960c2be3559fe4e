using System.Text.Json.Nodes;
using Rad.Contracts;

namespace Rad.Deployer;

/// <summary>The Swarm service RAD runs for one application; labels carry what the edge and later deployments need to know.</summary>
public static class SwarmServiceSpec
{
    public const string ManagedLabel = "rad.managed";
    public const string ApplicationLabel = "rad.application";
    public const string PortLabel = "rad.port";
    public const string ContainerPortLabel = "rad.container-port";

    public static JsonObject Build(DeployApplication command) => new()
    {
        ["Name"] = command.Application.Name,
        ["Labels"] = new JsonObject
        {
            [ManagedLabel] = "true",
            [ApplicationLabel] = command.Application.Name,
            [PortLabel] = command.Application.Port.ToString(),
            [ContainerPortLabel] = command.Application.ContainerPort.ToString(),
            ["rad.repository"] = Redaction.Credentials(command.Repository),
            ["rad.commit"] = command.Commit,
            ["rad.deployment"] = command.DeploymentId.ToString(),
        },
        ["TaskTemplate"] = new JsonObject
        {
            ["ContainerSpec"] = new JsonObject
            {
                ["Image"] = command.ImageReference,
                ["Labels"] = new JsonObject { [ApplicationLabel] = command.Application.Name },
                // An init process as PID 1 forwards signals, so an application that ignores SIGTERM as PID 1 (busybox
                // httpd, many scripts) still stops at once instead of after the 10 s grace period.
                ["Init"] = true,
            },
            ["Networks"] = new JsonArray(new JsonObject { ["Target"] = command.Network }),
            ["RestartPolicy"] = new JsonObject { ["Condition"] = "any", ["Delay"] = 500_000_000L },
        },
        ["Mode"] = new JsonObject { ["Replicated"] = new JsonObject { ["Replicas"] = command.Application.Replicas } },
        // All replicas are replaced at once, each new task starting before its old one stops: the port never lacks a
        // backend, at the cost of running up to twice the replicas for a moment. RAD checks readiness itself, so
        // Swarm's own watch after each task can be short.
        ["UpdateConfig"] = new JsonObject { ["Parallelism"] = 0, ["Order"] = "start-first", ["FailureAction"] = "pause", ["Monitor"] = 250_000_000L },
        ["EndpointSpec"] = new JsonObject { ["Mode"] = "dnsrr" },
    };

    /// <summary>True when the running service already has this image, replica count and ports: nothing to roll out.</summary>
    public static bool Matches(JsonObject existing, DeployApplication command)
    {
        var spec = existing["Spec"];
        return spec?["TaskTemplate"]?["ContainerSpec"]?["Image"]?.GetValue<string>() == command.ImageReference
               && spec["Mode"]?["Replicated"]?["Replicas"]?.GetValue<long>() == command.Application.Replicas
               && spec["Labels"]?[PortLabel]?.GetValue<string>() == command.Application.Port.ToString()
               && spec["Labels"]?[ContainerPortLabel]?.GetValue<string>() == command.Application.ContainerPort.ToString()
               && spec["TaskTemplate"]?["Networks"]?[0]?["Target"] is not null;
    }
}
