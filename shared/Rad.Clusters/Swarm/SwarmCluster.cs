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
        foreach (var service in await SwarmTasks.ServicesAsync(docker, token, ("label", $"{SwarmServiceSpec.ApplicationLabel}={command.ApplicationName}")))
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

    public async Task<IReadOnlyList<RunningApplication>> DescribeAsync(CancellationToken token)
    {
        var result = new List<RunningApplication>();
        foreach (var group in (await SwarmTasks.ServicesAsync(docker, token, ("label", $"{SwarmServiceSpec.ManagedLabel}=true")))
                 .GroupBy(s => s.Spec?.Labels.Label(SwarmServiceSpec.ApplicationLabel)).Where(g => g.Key is not null))
        {
            var desired = 0;
            var running = 0;
            var healthy = 0;
            string? image = null;
            string? endpoint = null;
            foreach (var service in group.Where(SwarmServiceSpec.TakesTraffic))
            {
                var spec = service.Spec!;
                desired += (int)(spec.Mode?.Replicated?.Replicas ?? 0);
                image ??= spec.TaskTemplate?.ContainerSpec?.Image;
                endpoint ??= $"http://{options.Value.EdgeHost}:{spec.Labels.Label(SwarmServiceSpec.PortLabel)}";
                var health = SwarmServiceSpec.Health(service);
                var containerPort = int.Parse(spec.Labels.Label(SwarmServiceSpec.ContainerPortLabel) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
                foreach (var task in await SwarmTasks.RunningAsync(docker, service.ID, local.Value.Network, token))
                {
                    running++;
                    if (await HealthProbe.PassesAsync(task.Address, containerPort, health, token))
                        healthy++;
                }
            }
            result.Add(new RunningApplication(group.Key!, desired, running, healthy, image, endpoint));
        }
        return result;
    }
}
