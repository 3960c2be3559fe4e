namespace Rad.Contracts;

/// <summary>
/// Asks for a deployment's turn among the deployments of the same repository and cluster (the queue
/// <paramref name="QueueId"/>, named by <paramref name="QueueKey"/>). Answered with DeploymentMayStart or DeploymentWaiting.
/// </summary>
public record EnterDeploymentQueue(Guid DeploymentId, Guid QueueId, string QueueKey, string Concurrency) : IDeploymentMessage;
