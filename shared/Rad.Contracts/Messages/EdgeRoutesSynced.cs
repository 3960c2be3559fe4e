namespace Rad.Contracts;

public record EdgeRoutesSynced(Guid DeploymentId, int Port, IReadOnlyList<string> Backends) : IDeploymentMessage;
