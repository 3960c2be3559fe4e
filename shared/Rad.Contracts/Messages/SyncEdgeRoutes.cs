namespace Rad.Contracts;

/// <summary>Asks Rad.Edge to bring its routes in step with the running tasks now and answer with the port's backends.</summary>
public record SyncEdgeRoutes(Guid DeploymentId, string ApplicationName, int Port) : IDeploymentMessage;
