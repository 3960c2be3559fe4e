using Microsoft.Extensions.Options;
using Rad.Contracts;

namespace Rad.Clusters.Swarm;

/// <summary>The single-node Docker Swarm on this machine's engine, RAD's built-in cluster.</summary>
public sealed class SwarmCluster(LocalSwarm swarm, SwarmDeployer deployer, IOptions<LocalSwarmOptions> options) : ICluster
{
    public async Task<ClusterPlace> EnsureAsync(Func<string, TimeSpan, Task> progress, CancellationToken token) =>
        new(Network: options.Value.Network, Namespace: null, Created: await swarm.EnsureAsync(token));

    public Task<DeployResult> DeployAsync(DeployApplication command, CancellationToken token) => deployer.DeployAsync(command, token);
}
