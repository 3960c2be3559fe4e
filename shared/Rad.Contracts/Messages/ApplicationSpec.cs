namespace Rad.Contracts;

/// <summary>
/// One application of rad.json, resolved against the checked-out repository. <paramref name="Resources"/> and
/// <paramref name="ServiceType"/> matter on Kubernetes only. <paramref name="Health"/> and <paramref name="Rollout"/>
/// are null where rad.json gives none (see <see cref="HealthCheck.TcpDefault"/> and <see cref="RolloutPolicy.Default"/>).
/// </summary>
public record ApplicationSpec(
    string Name,
    string Dockerfile,
    string Context,
    int Replicas,
    int Port,
    int ContainerPort,
    ApplicationResources? Resources = null,
    string? ServiceType = null,
    HealthCheck? Health = null,
    RolloutPolicy? Rollout = null);

/// <summary>Kubernetes resource quantities ("250m", "128Mi"); null where rad.json gives none.</summary>
public record ApplicationResources(string? CpuRequest, string? MemoryRequest, string? CpuLimit, string? MemoryLimit);
