namespace Rad.Contracts;

public record ApplicationRemovalFailed(Guid DeploymentId, string ApplicationName, string Reason) : IDeploymentMessage;
