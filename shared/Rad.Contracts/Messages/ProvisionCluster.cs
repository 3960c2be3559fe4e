namespace Rad.Contracts;

public record ProvisionCluster(Guid DeploymentId, string Cluster) : IDeploymentMessage;
