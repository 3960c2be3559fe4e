using System.Text.Json;
using Docker.DotNet.Models;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Clusters.Swarm;

/// <summary>The Swarm service RAD runs for one application; labels carry what the edge and later deployments need to know.</summary>
public static class SwarmServiceSpec
{
    public const string ManagedLabel = "rad.managed";
    public const string ApplicationLabel = "rad.application";
    public const string PortLabel = "rad.port";
    public const string ContainerPortLabel = "rad.container-port";
    public const string RepositoryLabel = "rad.repository";
    public const string HealthLabel = "rad.health";
    public const string TrafficLabel = "rad.traffic";

    public static ServiceSpec Build(DeployApplication command) => new()
    {
        Name = command.Application.Name,
        Labels = new Dictionary<string, string>
        {
            [ManagedLabel] = "true",
            [ApplicationLabel] = command.Application.Name,
            [PortLabel] = command.Application.Port.ToString(),
            [ContainerPortLabel] = command.Application.ContainerPort.ToString(),
            [RepositoryLabel] = Redaction.Credentials(command.Repository),
            [HealthLabel] = JsonSerializer.Serialize(command.Application.Health ?? HealthCheck.TcpDefault),
            [TrafficLabel] = "100",
            ["rad.commit"] = command.Commit,
            ["rad.deployment"] = command.DeploymentId.ToString(),
        },
        TaskTemplate = new TaskSpec
        {
            ContainerSpec = new ContainerSpec
            {
                Image = command.ImageReference,
                Labels = new Dictionary<string, string> { [ApplicationLabel] = command.Application.Name },
                // An init process as PID 1 forwards signals, so an application that ignores SIGTERM as PID 1 (busybox
                // httpd, many scripts) still stops at once instead of after the 10 s grace period.
                Init = true,
            },
            Networks = [new NetworkAttachmentConfig { Target = command.Network }],
            RestartPolicy = new SwarmRestartPolicy { Condition = "any", Delay = TimeSpan.FromMilliseconds(500) },
        },
        Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = (ulong)command.Application.Replicas } },
        // All replicas are replaced at once, each new task starting before its old one stops: the port never lacks a
        // backend, at the cost of running up to twice the replicas for a moment. RAD checks readiness itself, so
        // Swarm's own watch after each task can be short.
        UpdateConfig = new SwarmUpdateConfig { Parallelism = 0, Order = "start-first", FailureAction = "pause", Monitor = TimeSpan.FromMilliseconds(250) },
        EndpointSpec = new EndpointSpec { Mode = "dnsrr" },
    };

    /// <summary>The health check the service was deployed with (its label), the TCP default for services from before.</summary>
    public static HealthCheck Health(SwarmService service) =>
        service.Spec?.Labels.Label(HealthLabel) is { } json ? JsonSerializer.Deserialize<HealthCheck>(json) ?? HealthCheck.TcpDefault : HealthCheck.TcpDefault;

    /// <summary>Whether the edge sends it traffic: its share in percent (services from before traffic shares take all).</summary>
    public static bool TakesTraffic(SwarmService service) => Traffic(service) > 0;

    public static int Traffic(SwarmService service) =>
        int.TryParse(service.Spec?.Labels.Label(TrafficLabel), out var share) ? share : 100;

    /// <summary>True when the running service already has this image, replica count and ports: nothing to roll out.</summary>
    public static bool Matches(SwarmService existing, DeployApplication command)
    {
        var spec = existing.Spec;
        return spec?.TaskTemplate?.ContainerSpec?.Image == command.ImageReference
               && spec.Mode?.Replicated?.Replicas == (ulong)command.Application.Replicas
               && spec.Labels?.Label(PortLabel) == command.Application.Port.ToString()
               && spec.Labels?.Label(ContainerPortLabel) == command.Application.ContainerPort.ToString()
               && spec.TaskTemplate.Networks is { Count: > 0 };
    }
}
