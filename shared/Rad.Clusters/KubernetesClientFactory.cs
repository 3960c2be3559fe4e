using Rad.Kubernetes;

namespace Rad.Clusters;

/// <summary>The one place a registered cluster becomes a Kubernetes client (its stored kubeconfig, through KubernetesClient).</summary>
public interface IKubernetesClientFactory
{
    /// <summary>A client for the cluster; dispose it after use. Throws KubeconfigException when its kubeconfig cannot be used.</summary>
    IKubernetesApi Connect(RegisteredCluster cluster);
}

/// <summary>
/// Runs a kubeconfig's credential plugin only when the operator's allowlist has it (checked here, at each use, not only
/// at registration); without a policy none.
/// </summary>
public sealed class KubernetesClientFactory(ExecPluginPolicy? plugins = null, ILoggerFactory? loggers = null) : IKubernetesClientFactory
{
    readonly ExecPluginPolicy _plugins = plugins ?? new ExecPluginPolicy([]);

    public IKubernetesApi Connect(RegisteredCluster cluster)
    {
        var context = cluster.LoadKubeContext();
        if (_plugins.Refusal(context) is { } refusal)
            throw new KubeconfigException(refusal);
        return new KubernetesDynamicClient(context, loggers?.CreateLogger<KubernetesDynamicClient>());
    }
}
