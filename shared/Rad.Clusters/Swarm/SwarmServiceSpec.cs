using Docker.DotNet.Models;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Clusters.Swarm;

/// <summary>The Swarm service of one slot of an application; labels carry what the edge and later deployments need to know.</summary>
public static class SwarmServiceSpec
{
    public static ServiceSpec Build(DeployApplication command, string slot, int traffic) => new()
    {
        Name = SwarmSlot.ServiceNameOf(command.Application.Name, slot),
        Labels = new Dictionary<string, string>
        {
            [SwarmSlot.ManagedLabel] = "true",
            [SwarmSlot.ApplicationLabel] = command.Application.Name,
            [SwarmSlot.SlotLabel] = slot,
            [SwarmSlot.PortLabel] = command.Application.Port.ToString(),
            [SwarmSlot.ContainerPortLabel] = command.Application.ContainerPort.ToString(),
            [SwarmSlot.RepositoryLabel] = Redaction.Credentials(command.Repository),
            [SwarmSlot.HealthLabel] = HealthJson(command.Application.Health),
            [SwarmSlot.TrafficLabel] = traffic.ToString(),
            [SwarmSlot.StrategyLabel] = Policy(command).Strategy,
            ["rad.commit"] = command.Commit,
            ["rad.deployment"] = command.DeploymentId.ToString(),
        },
        TaskTemplate = new TaskSpec
        {
            ContainerSpec = new ContainerSpec
            {
                Image = command.ImageReference,
                Labels = new Dictionary<string, string> { [SwarmSlot.ApplicationLabel] = command.Application.Name, [SwarmSlot.SlotLabel] = slot },
                // An init process as PID 1 forwards signals, so an application that ignores SIGTERM as PID 1 (busybox
                // httpd, many scripts) still stops at once instead of after the 10 s grace period.
                Init = true,
            },
            Networks = [new NetworkAttachmentConfig { Target = command.Network }],
            Resources = Resources(command.Application.Resources),
            RestartPolicy = new SwarmRestartPolicy { Condition = "any", Delay = TimeSpan.FromMilliseconds(500) },
        },
        Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = (ulong)command.Application.Replicas } },
        // A slot updated in place (one that took no traffic) replaces all its tasks at once, new before old. RAD checks
        // readiness itself, so Swarm's own watch after each task can be short.
        UpdateConfig = new SwarmUpdateConfig { Parallelism = 0, Order = "start-first", FailureAction = "pause", Monitor = TimeSpan.FromMilliseconds(250) },
        EndpointSpec = new EndpointSpec { Mode = "dnsrr" },
    };

    /// <summary>
    /// Limits cap each task (the engine's cgroup limits); requests become reservations, which the Swarm counts against the
    /// node's CPUs and memory before it places a task.
    /// </summary>
    public static ResourceRequirements? Resources(ApplicationResources? resources)
    {
        if (resources is null)
            return null;
        var limits = new SwarmLimit
        {
            NanoCPUs = resources.CpuLimit is null ? 0 : ResourceQuantity.NanoCpus(resources.CpuLimit) ?? 0,
            MemoryBytes = resources.MemoryLimit is null ? 0 : ResourceQuantity.Bytes(resources.MemoryLimit) ?? 0,
        };
        var reservations = new SwarmResources
        {
            NanoCPUs = resources.CpuRequest is null ? 0 : ResourceQuantity.NanoCpus(resources.CpuRequest) ?? 0,
            MemoryBytes = resources.MemoryRequest is null ? 0 : ResourceQuantity.Bytes(resources.MemoryRequest) ?? 0,
        };
        return new ResourceRequirements
        {
            Limits = limits.NanoCPUs == 0 && limits.MemoryBytes == 0 ? null : limits,
            Reservations = reservations.NanoCPUs == 0 && reservations.MemoryBytes == 0 ? null : reservations,
        };
    }

    static bool SameResources(ResourceRequirements? running, ResourceRequirements? wanted) =>
        (running?.Limits?.NanoCPUs ?? 0) == (wanted?.Limits?.NanoCPUs ?? 0)
        && (running?.Limits?.MemoryBytes ?? 0) == (wanted?.Limits?.MemoryBytes ?? 0)
        && (running?.Reservations?.NanoCPUs ?? 0) == (wanted?.Reservations?.NanoCPUs ?? 0)
        && (running?.Reservations?.MemoryBytes ?? 0) == (wanted?.Reservations?.MemoryBytes ?? 0);

    public static RolloutPolicy Policy(DeployApplication command) => command.Application.Rollout ?? RolloutPolicy.Default;

    public static HealthCheck Health(DeployApplication command) => command.Application.Health ?? HealthCheck.TcpDefault;

    static string HealthJson(HealthCheck? health) => SwarmSlot.HealthJson(health ?? HealthCheck.TcpDefault);

    /// <summary>True when the slot already runs this image with this replica count, ports, health check and resources: nothing to roll out to it.</summary>
    public static bool Matches(SwarmSlot slot, DeployApplication command)
    {
        var spec = slot.Service.Spec;
        return spec?.TaskTemplate?.ContainerSpec?.Image == command.ImageReference
               && slot.Replicas == command.Application.Replicas
               && slot.Port == command.Application.Port
               && slot.ContainerPort == command.Application.ContainerPort
               && slot.Health == Health(command)
               && SameResources(spec.TaskTemplate.Resources, Resources(command.Application.Resources))
               && spec.TaskTemplate.Networks is { Count: > 0 };
    }
}
