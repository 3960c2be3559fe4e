namespace Rad.Contracts;

public record ApplicationRemoved(Guid DeploymentId, string ApplicationName) : IDeploymentMessage;
