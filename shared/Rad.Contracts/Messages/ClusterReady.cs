namespace Rad.Contracts;

public record ClusterReady(Guid DeploymentId, string Cluster, string Network, bool Created) : IDeploymentMessage;
