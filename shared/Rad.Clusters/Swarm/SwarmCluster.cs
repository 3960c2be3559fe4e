using Docker.DotNet;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Clusters.Swarm;

/// <summary>The single-node Docker Swarm on this machine's engine, RAD's built-in cluster.</summary>
public sealed class SwarmCluster(LocalSwarm swarm, SwarmDeployer deployer, IDockerClient docker, IOptions<LocalSwarmOptions> local,
    IOptions<DeployerOptions> options) : ICluster
{
    public async Task<ClusterPlace> EnsureAsync(Func<string, TimeSpan, Task> progress, CancellationToken token) =>
        new(Network: local.Value.Network, Namespace: null, Created: await swarm.EnsureAsync(token));

    public Task<DeployResult> DeployAsync(DeployApplication command, IRolloutProgress progress, CancellationToken token) =>
        deployer.DeployAsync(command, progress, token);

    public async Task RemoveAsync(RemoveApplication command, CancellationToken token)
    {
        foreach (var service in await SwarmTasks.ServicesAsync(docker, token, ("label", $"{SwarmSlot.ApplicationLabel}={command.ApplicationName}")))
        {
            try
            {
                await docker.Swarm.RemoveServiceAsync(service.ID, token);
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
            }
        }
    }

    /// <summary>One list of services, no task probed: per application the replicas of its slots that take traffic.</summary>
    public async Task<IReadOnlyDictionary<string, int>> DesiredReplicasAsync(CancellationToken token) =>
        (await SwarmTasks.ServicesAsync(docker, token, ("label", $"{SwarmSlot.ManagedLabel}=true"))).Select(SwarmSlot.From).OfType<SwarmSlot>()
        .Where(s => s.Traffic > 0)
        .GroupBy(s => s.Application)
        .ToDictionary(g => g.Key, g => g.Sum(s => s.Replicas), StringComparer.Ordinal);

    /// <summary>Per application, the replicas of the slots that take traffic (both during a canary); the image of the one taking most.</summary>
    public async Task<IReadOnlyList<RunningApplication>> DescribeAsync(CancellationToken token)
    {
        var result = new List<RunningApplication>();
        var slots = (await SwarmTasks.ServicesAsync(docker, token, ("label", $"{SwarmSlot.ManagedLabel}=true"))).Select(SwarmSlot.From).OfType<SwarmSlot>();
        foreach (var group in slots.GroupBy(s => s.Application))
        {
            var desired = 0;
            var running = 0;
            var healthy = 0;
            string? image = null;
            string? endpoint = null;
            foreach (var slot in group.Where(s => s.Traffic > 0).OrderByDescending(s => s.Traffic))
            {
                desired += slot.Replicas;
                image ??= slot.Image;
                endpoint ??= $"http://{options.Value.EdgeHost}:{slot.Port}";
                foreach (var task in await SwarmTasks.RunningAsync(docker, slot.Service.ID, local.Value.Network, token))
                {
                    running++;
                    if (await HealthProbe.PassesAsync(task.Address, slot.ContainerPort, slot.Health, token))
                        healthy++;
                }
            }
            result.Add(new RunningApplication(group.Key, desired, running, healthy, image, endpoint));
        }
        return result;
    }
}
