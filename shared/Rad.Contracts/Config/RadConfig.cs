namespace Rad.Contracts.Config;

/// <summary>The parsed, validated content of a repository's rad.json.</summary>
public record RadConfig(IReadOnlyList<RadApplication> Applications, RadRegistry Registry, bool RollbackOnFailure = true);

public record RadApplication(
    string Name,
    string Dockerfile,
    string Context,
    int ReplicaCount,
    int Port,
    int ContainerPort,
    ApplicationResources? Resources = null,
    string? ServiceType = null,
    HealthCheck? Health = null,
    RolloutPolicy? Rollout = null)
{
    /// <summary>What the pipeline's messages carry of this application.</summary>
    public ApplicationSpec ToSpec() => new(Name, Dockerfile, Context, ReplicaCount, Port, ContainerPort, Resources, ServiceType, Health, Rollout);
}

public record RadRegistry(string Address);
