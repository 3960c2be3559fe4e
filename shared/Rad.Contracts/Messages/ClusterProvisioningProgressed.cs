namespace Rad.Contracts;

/// <summary>
/// A cluster that takes long to create (Cluster API: tens of minutes) reports where it is: its phase and the time
/// since provisioning started. Each report also proves the provisioner is alive, so it pushes the stage's deadline on.
/// </summary>
public record ClusterProvisioningProgressed(Guid DeploymentId, string Cluster, string Phase, TimeSpan Elapsed) : IDeploymentMessage;
