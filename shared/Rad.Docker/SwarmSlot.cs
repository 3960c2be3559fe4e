using System.Globalization;
using System.Text.Json;
using Docker.DotNet.Models;
using Rad.Contracts;

namespace Rad.Docker;

/// <summary>
/// One of the two Swarm services an application may run as on the local Swarm: slot a is the service named after the
/// application, slot b is NAME_b. Their labels say what the edge routes to them; the deployer writes them, the edge reads them.
/// </summary>
public sealed record SwarmSlot(SwarmService Service, string Application, string Slot, int Port, int ContainerPort, int Traffic,
    string? Strategy, HealthCheck Health, DateTimeOffset? RetireAfter)
{
    public const string A = "a";
    public const string B = "b";

    public const string ManagedLabel = "rad.managed";
    public const string ApplicationLabel = "rad.application";
    public const string PortLabel = "rad.port";
    public const string ContainerPortLabel = "rad.container-port";
    public const string RepositoryLabel = "rad.repository";
    public const string HealthLabel = "rad.health";
    public const string SlotLabel = "rad.slot";

    /// <summary>The slot's share of the application's traffic in percent; absent means all of it (services from before slots).</summary>
    public const string TrafficLabel = "rad.traffic";

    public const string StrategyLabel = "rad.strategy";

    /// <summary>UTC time after which a blue-green previous set that takes no traffic may be removed.</summary>
    public const string RetireAfterLabel = "rad.retire-after";

    public string ServiceName => Service.Spec?.Name ?? ServiceNameOf(Application, Slot);

    public string? Image => Service.Spec?.TaskTemplate?.ContainerSpec?.Image;

    public int Replicas => (int)(Service.Spec?.Mode?.Replicated?.Replicas ?? 0);

    /// <summary>Slot a keeps the application's own name, so services from before slots are slot a as they are.</summary>
    public static string ServiceNameOf(string application, string slot) => slot == A ? application : $"{application}_{slot}";

    public static string Other(string slot) => slot == A ? B : A;

    /// <summary>The slot a RAD service is, or null when its labels do not make it one.</summary>
    public static SwarmSlot? From(SwarmService service)
    {
        var labels = service.Spec?.Labels;
        if (labels.Label(ApplicationLabel) is not { } application
            || !int.TryParse(labels.Label(PortLabel), CultureInfo.InvariantCulture, out var port)
            || !int.TryParse(labels.Label(ContainerPortLabel), CultureInfo.InvariantCulture, out var containerPort))
            return null;
        var traffic = int.TryParse(labels.Label(TrafficLabel), CultureInfo.InvariantCulture, out var share) ? Math.Clamp(share, 0, 100) : 100;
        DateTimeOffset? retire = DateTimeOffset.TryParse(labels.Label(RetireAfterLabel), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var at) ? at : null;
        return new SwarmSlot(service, application, labels.Label(SlotLabel) == B ? B : A, port, containerPort, traffic,
            labels.Label(StrategyLabel), HealthOf(labels.Label(HealthLabel)), retire);
    }

    public static string HealthJson(HealthCheck health) => JsonSerializer.Serialize(health);

    /// <summary>The health check a slot was deployed with, the TCP default for services from before health checks.</summary>
    static HealthCheck HealthOf(string? json)
    {
        if (json is null)
            return HealthCheck.TcpDefault;
        try
        {
            return JsonSerializer.Deserialize<HealthCheck>(json) ?? HealthCheck.TcpDefault;
        }
        catch (JsonException)
        {
            return HealthCheck.TcpDefault;
        }
    }

}
