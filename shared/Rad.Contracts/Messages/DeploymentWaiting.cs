namespace Rad.Contracts;

/// <summary>Another deployment of the same repository and cluster is running; this one waits, <paramref name="Position"/> in line (1 = next).</summary>
public record DeploymentWaiting(Guid DeploymentId, Guid Running, int Position) : IDeploymentMessage;
