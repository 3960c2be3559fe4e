namespace Rad.ClusterProvisioner;

public sealed class LocalSwarmOptions
{
    public const string Section = "Rad:Local";

    /// <summary>The cluster name that means "the Swarm on this machine's engine".</summary>
    public string ClusterName { get; set; } = "local";

    /// <summary>A swarm-scoped bridge network: Swarm's overlay and ingress need IP_VS, which these kernels lack.</summary>
    public string Network { get; set; } = "rad";

    public string AdvertiseAddress { get; set; } = "127.0.0.1";
}
