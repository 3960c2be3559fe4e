using Rad.Contracts;

namespace Rad.Clusters;

/// <summary>Where a cluster gives RAD's applications a home: the local Swarm's network, or a Kubernetes namespace.</summary>
public sealed record ClusterPlace(string? Network, string? Namespace, bool Created);

/// <summary>Where one application answers once deployed; <paramref name="Changed"/> is false when the cluster already ran exactly this.</summary>
public sealed record DeployResult(string Endpoint, int RunningReplicas, bool Changed);

/// <summary>Reports the steps of a rollout strategy as they go ("validate", "switch", "shift traffic 10%"); states are <see cref="StageStates"/> values.</summary>
public interface IRolloutProgress
{
    Task StepAsync(string step, string state, string? message);
}

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

    /// <summary>
    /// Deploys one application by its rollout strategy and waits until it runs, passes its health check and takes the
    /// traffic, reporting each step. Throws DeploymentFailedException, saying whether it had changed what serves.
    /// </summary>
    Task<DeployResult> DeployAsync(DeployApplication command, IRolloutProgress progress, CancellationToken token);

    /// <summary>Removes everything RAD runs for the application on this cluster; absent already is fine.</summary>
    Task RemoveAsync(RemoveApplication command, CancellationToken token);

    /// <summary>What runs now: every application RAD manages here, with desired, running and healthy replicas.</summary>
    Task<IReadOnlyList<RunningApplication>> DescribeAsync(CancellationToken token);

    /// <summary>Each application's desired replicas of the sets that serve it, for the replica budget; a cluster may answer it more cheaply than <see cref="DescribeAsync"/>.</summary>
    async Task<IReadOnlyDictionary<string, int>> DesiredReplicasAsync(CancellationToken token) =>
        (await DescribeAsync(token)).GroupBy(a => a.Name).ToDictionary(g => g.Key, g => g.Sum(a => a.Desired), StringComparer.Ordinal);
}
