namespace Rad.Contracts;

/// <summary>Asks the cluster provisioner to delete a cluster RAD created through Cluster API (its objects in the management cluster) and forget it.</summary>
public record DeleteCluster(string Name);
