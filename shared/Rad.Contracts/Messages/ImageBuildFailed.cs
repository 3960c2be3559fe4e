namespace Rad.Contracts;

public record ImageBuildFailed(Guid DeploymentId, string ApplicationName, string Reason) : IDeploymentMessage;
