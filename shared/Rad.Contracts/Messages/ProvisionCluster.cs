namespace Rad.Contracts;

/// <summary>
/// Makes sure the deployment's cluster is there. A creation that takes long goes on in steps: the provisioner sends
/// this command again with <paramref name="ProvisioningSince"/>, when the creation began, so no consumer holds a
/// message for long (RabbitMQ closes a channel whose message is held past its consumer_timeout).
/// </summary>
public record ProvisionCluster(Guid DeploymentId, string Cluster, DateTimeOffset? ProvisioningSince = null, int Step = 0) : IDeploymentMessage;
