namespace Rad.Clusters.Swarm;

/// <summary>Rad:Local: the Swarm on this machine's engine, the cluster called <see cref="Contracts.LocalCluster.Name"/>.</summary>
public sealed class LocalSwarmOptions
{
    public const string Section = "Rad:Local";

    /// <summary>A swarm-scoped bridge network: Swarm's overlay and ingress need IP_VS, which these kernels lack.</summary>
    public string Network { get; set; } = "rad";

    public string AdvertiseAddress { get; set; } = "127.0.0.1";
}
