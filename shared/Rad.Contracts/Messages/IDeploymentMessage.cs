namespace Rad.Contracts;

/// <summary>Every pipeline message names the deployment it belongs to; logs and the saga key on it.</summary>
public interface IDeploymentMessage
{
    Guid DeploymentId { get; }
}
