namespace Rad.Contracts;

/// <summary>
/// Starts a deployment. Publish it on the bus, or POST /api/deployments does it for you.
/// <paramref name="Concurrency"/> says what happens when a deployment of the same repository and cluster is still
/// running: "queue" (wait for it) or "supersede" (cancel it unless it is already rolling out); null means the
/// status service's configured default.
/// </summary>
public record RequestDeployment(
    Guid DeploymentId,
    string Repository,
    string Ref,
    string ConfigPath,
    string Cluster,
    DateTimeOffset RequestedAt,
    string? Concurrency = null) : IDeploymentMessage;
