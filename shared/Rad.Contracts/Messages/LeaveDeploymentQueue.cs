namespace Rad.Contracts;

/// <summary>A deployment ended (or never started): its queue lets the next one start.</summary>
public record LeaveDeploymentQueue(Guid DeploymentId, Guid QueueId) : IDeploymentMessage;
