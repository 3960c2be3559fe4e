namespace Rad.Contracts;

/// <summary>Starts a deployment. Publish it on the bus, or POST /api/deployments does it for you.</summary>
public record RequestDeployment(
    Guid DeploymentId,
    string Repository,
    string Ref,
    string ConfigPath,
    string Cluster,
    DateTimeOffset RequestedAt) : IDeploymentMessage;
