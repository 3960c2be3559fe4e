namespace Rad.Contracts;

/// <summary>A newer deployment of the same repository and cluster asks this one to stop, unless it is already rolling out.</summary>
public record SupersedeDeployment(Guid DeploymentId, Guid SupersededBy) : IDeploymentMessage;
