using Rad.Kubernetes;

namespace Rad.Clusters;

/// <summary>The one place a registered cluster becomes a Kubernetes client (its stored kubeconfig, through KubernetesClient).</summary>
public interface IKubernetesClientFactory
{
    /// <summary>A client for the cluster; dispose it after use. Throws KubeconfigException when its kubeconfig cannot be used.</summary>
    IKubernetesApi Connect(RegisteredCluster cluster);
}

public sealed class KubernetesClientFactory : IKubernetesClientFactory
{
    public IKubernetesApi Connect(RegisteredCluster cluster) => new KubernetesDynamicClient(cluster.LoadKubeContext());
}
