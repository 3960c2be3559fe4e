using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rad.Clusters.Swarm;
using Rad.Docker;
using Xunit;

namespace Rad.IntegrationTests;

/// <summary>
/// moby/moby#37087 on a real engine: a Docker engine killed with SIGKILL and started again rejects every task on a
/// swarm-scoped bridge network with "network &lt;id&gt; exists". Run on an engine of the test's own (IsolatedEngine).
/// </summary>
[Collection(nameof(StackCollection))]
public sealed class StaleNetworkTests : IAsyncLifetime
{
    readonly IsolatedEngine _engine = new();

    public Task InitializeAsync() => _engine.InitializeAsync();

    public Task DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task After_an_unclean_engine_restart_the_network_is_replaced_and_services_start_again()
    {
        const string network = "rad";
        using var docker = _engine.Client();
        var swarm = new LocalSwarm(docker, new StaleNetworkRepair(docker, NullLogger<StaleNetworkRepair>.Instance),
            Options.Create(new LocalSwarmOptions { Network = network }), NullLogger<LocalSwarm>.Instance);
        await swarm.EnsureAsync(CancellationToken.None);
        await _engine.LoadImageAsync("rad/busybox:local");
        await docker.Swarm.CreateServiceAsync(new ServiceCreateParameters
        {
            Service = new ServiceSpec
            {
                Name = "it-stale",
                TaskTemplate = new TaskSpec
                {
                    ContainerSpec = new ContainerSpec { Image = "rad/busybox:local", Command = ["sleep", "3600"] },
                    Networks = [new NetworkAttachmentConfig { Target = network }],
                },
                Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
            },
        }, CancellationToken.None);
        await WaitForAsync(docker, tasks => tasks.Any(t => t.Status?.State == TaskState.Running), "the service to run");
        var before = (await docker.Networks.InspectNetworkAsync(network, CancellationToken.None)).ID;

        await _engine.KillAndRestartAsync();
        await WaitForAsync(docker, tasks => tasks.Any(t => t.Status?.Err == $"network {before} exists"),
            "the engine to reject tasks on the restored network (the fault this heals)");

        await swarm.HealAsync(CancellationToken.None);

        var after = (await docker.Networks.InspectNetworkAsync(network, CancellationToken.None)).ID;
        Assert.NotEqual(before, after);
        await WaitForAsync(docker, tasks => tasks.Any(t => t.Status?.State == TaskState.Running && t.DesiredState == TaskState.Running), "the service to run again");
        var service = await docker.Swarm.InspectServiceAsync("it-stale", CancellationToken.None);
        Assert.Equal(after, service.Spec!.TaskTemplate!.Networks!.Single().Target);
        // Healthy now: a second pass changes nothing.
        await swarm.HealAsync(CancellationToken.None);
        Assert.Equal(after, (await docker.Networks.InspectNetworkAsync(network, CancellationToken.None)).ID);
    }

    static async Task WaitForAsync(IDockerClient docker, Func<IList<TaskResponse>, bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if (condition(await docker.Tasks.ListAsync(new TasksListParameters { Filters = DockerApi.Filters(("service", "it-stale")) }, CancellationToken.None)))
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or DockerApiException or IOException or TimeoutException)
            {
                // The engine (or its swarm) is still coming back.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"waited 60 s for {what}");
    }
}
