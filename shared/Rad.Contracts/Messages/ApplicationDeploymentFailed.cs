namespace Rad.Contracts;

public record ApplicationDeploymentFailed(Guid DeploymentId, string ApplicationName, string Reason) : IDeploymentMessage;
