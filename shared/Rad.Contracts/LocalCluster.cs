namespace Rad.Contracts;

/// <summary>The built-in cluster: a single-node Docker Swarm on the engine RAD runs beside.</summary>
public static class LocalCluster
{
    /// <summary>Its one name, everywhere (requests, the provisioner, the deployer, the cluster list); registered clusters cannot take it.</summary>
    public const string Name = "local";
}
