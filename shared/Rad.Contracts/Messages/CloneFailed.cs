namespace Rad.Contracts;

public record CloneFailed(Guid DeploymentId, string Reason) : IDeploymentMessage;
