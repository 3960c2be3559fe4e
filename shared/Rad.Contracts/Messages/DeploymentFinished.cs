namespace Rad.Contracts;

/// <summary>Published once a deployment reaches Succeeded or Failed, so workers can release what they hold for it.</summary>
public record DeploymentFinished(Guid DeploymentId, bool Succeeded, string? WorkspacePath) : IDeploymentMessage;
