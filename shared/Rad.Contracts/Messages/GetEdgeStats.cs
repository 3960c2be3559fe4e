namespace Rad.Contracts;

/// <summary>
/// Asks Rad.Edge to bring HAProxy in step with the running tasks now and answer what it sees for the application's
/// port, server by server (<see cref="EdgeStats"/>): the deployer's eyes on weights, health, open connections and errors.
/// </summary>
public record GetEdgeStats(Guid DeploymentId, string ApplicationName, int Port) : IDeploymentMessage;
