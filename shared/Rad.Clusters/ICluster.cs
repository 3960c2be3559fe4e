using Rad.Contracts;

namespace Rad.Clusters;

/// <summary>Where a cluster gives RAD's applications a home: the local Swarm's network, or a Kubernetes namespace.</summary>
public sealed record ClusterPlace(string? Network, string? Namespace, bool Created);

/// <summary>Where one application answers once deployed; <paramref name="Changed"/> is false when the cluster already ran exactly this.</summary>
public sealed record DeployResult(string Endpoint, int RunningReplicas, bool Changed);

/// <summary>
/// One cluster RAD deploys to, whatever runs it: the local Swarm or a Kubernetes cluster. The cluster provisioner
/// ensures it, the deployer deploys to it; <see cref="ClusterCatalog"/> is the one place that picks the implementation.
/// </summary>
public interface ICluster
{
    /// <summary>
    /// Makes sure the cluster answers and RAD's place in it exists, creating what is missing; a creation that takes long
    /// reports its phase and elapsed time through <paramref name="progress"/>. Throws ClusterProvisioningException.
    /// </summary>
    Task<ClusterPlace> EnsureAsync(Func<string, TimeSpan, Task> progress, CancellationToken token);

    /// <summary>Deploys one application and waits until it runs and answers. Throws DeploymentFailedException.</summary>
    Task<DeployResult> DeployAsync(DeployApplication command, CancellationToken token);
}
