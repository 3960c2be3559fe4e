namespace Rad.Contracts;

/// <summary>Removes an application a failed release created (it had no earlier revision to go back to).</summary>
public record RemoveApplication(Guid DeploymentId, string Cluster, string? Network, string? Namespace, string ApplicationName) : IDeploymentMessage;
