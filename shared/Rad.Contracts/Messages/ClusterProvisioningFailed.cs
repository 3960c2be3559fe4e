namespace Rad.Contracts;

public record ClusterProvisioningFailed(Guid DeploymentId, string Cluster, string Reason) : IDeploymentMessage;
