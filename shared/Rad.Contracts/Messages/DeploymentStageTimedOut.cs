namespace Rad.Contracts;

public record DeploymentStageTimedOut(Guid DeploymentId, string Stage) : IDeploymentMessage;
