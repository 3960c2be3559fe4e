namespace Rad.Contracts;

/// <summary>No other deployment of the same repository and cluster is running: this one may start.</summary>
public record DeploymentMayStart(Guid DeploymentId) : IDeploymentMessage;
