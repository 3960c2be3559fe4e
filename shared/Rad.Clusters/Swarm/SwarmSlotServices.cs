using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Clusters.Swarm;

/// <summary>The Swarm services behind an application's slots: reading them, creating, relabelling, scaling and removing them.</summary>
public sealed class SwarmSlotServices(IDockerClient docker, ContainerEvents events, IOptions<DeployerOptions> options, ILogger<SwarmSlotServices> logger)
{
    /// <summary>
    /// How soon the tasks are looked at again after one of the service's containers started or died: Swarm records the
    /// task's new state a few milliseconds after the container's event (3-8 ms measured here).
    /// </summary>
    static readonly TimeSpan SettleInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Looks after an event that find the task's state not recorded yet, before waiting for the next event again.</summary>
    const int SettleLooks = 5;

    /// <summary>
    /// How often the wait for replicas lists the service's failed tasks when no container of it started or died: a task
    /// can fail without a container (an image the node cannot pull, no node that fits), and no event tells of that. After
    /// an event the failures are looked at on each settle look, as the running tasks are. Each such look lists every task
    /// of the service: at every look (each 50 ms while nothing happens) they were a fifth of the engine calls of 20
    /// deployments at once (288 of 1,413), and 11 of a single deployment's 67.
    /// </summary>
    static readonly TimeSpan FailureLookInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The application's slots, a before b.</summary>
    public async Task<IReadOnlyList<SwarmSlot>> ListAsync(string application, CancellationToken token) =>
        (await SwarmTasks.ServicesAsync(docker, token, ("label", $"{SwarmSlot.ApplicationLabel}={application}")))
        .Select(SwarmSlot.From).OfType<SwarmSlot>().OrderBy(s => s.Slot, StringComparer.Ordinal).ToList();

    public async Task<SwarmSlot?> FindAsync(string service, CancellationToken token)
    {
        try
        {
            return SwarmSlot.From(await docker.Swarm.InspectServiceAsync(service, token));
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Creates the slot's service, or updates it in place when it exists (it takes no traffic then).</summary>
    public async Task CreateOrUpdateAsync(DeployApplication command, string slot, int traffic, CancellationToken token)
    {
        var spec = SwarmServiceSpec.Build(command, slot, traffic);
        if (await FindAsync(spec.Name!, token) is { } existing)
        {
            await docker.Swarm.UpdateServiceAsync(existing.Service.ID,
                new ServiceUpdateParameters { Service = spec, Version = (long)existing.Service.Version!.Index!.Value }, token);
            logger.LogInformation("Updated service {Service} to {Replicas} replica(s) of {Image} at {Traffic}% of the traffic for deployment {DeploymentId}",
                spec.Name, command.Application.Replicas, command.ImageReference, traffic, command.DeploymentId);
            return;
        }
        await docker.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec }, token);
        logger.LogInformation("Created service {Service} with {Replicas} replica(s) of {Image} at {Traffic}% of the traffic for deployment {DeploymentId}",
            spec.Name, command.Application.Replicas, command.ImageReference, traffic, command.DeploymentId);
    }

    /// <summary>
    /// Changes labels of the service and nothing else: Swarm restarts tasks only when their template changes, so this
    /// moves traffic (the edge follows the labels) without touching a container. A null value removes the label.
    /// </summary>
    public async Task RelabelAsync(string service, IReadOnlyDictionary<string, string?> labels, CancellationToken token)
    {
        var current = await docker.Swarm.InspectServiceAsync(service, token);
        var spec = current.Spec!;
        spec.Labels ??= new Dictionary<string, string>();
        foreach (var (name, value) in labels)
        {
            if (value is null)
                spec.Labels.Remove(name);
            else
                spec.Labels[name] = value;
        }
        await docker.Swarm.UpdateServiceAsync(current.ID, new ServiceUpdateParameters { Service = spec, Version = (long)current.Version!.Index!.Value }, token);
    }

    /// <summary>Scales the service to no replicas and waits until its tasks have stopped; the service (and its port) stays.</summary>
    public async Task StopAsync(string service, CancellationToken token)
    {
        var current = await docker.Swarm.InspectServiceAsync(service, token);
        var spec = current.Spec!;
        spec.Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 0 } };
        await docker.Swarm.UpdateServiceAsync(current.ID, new ServiceUpdateParameters { Service = spec, Version = (long)current.Version!.Index!.Value }, token);
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        while ((await docker.Tasks.ListAsync(new TasksListParameters { Filters = DockerApi.Filters(("service", current.ID)) }, token))
               .Any(t => t.Status?.State is TaskState.Running or TaskState.Starting or TaskState.Preparing or TaskState.Assigned or TaskState.Accepted
                   or TaskState.Ready or TaskState.Pending or TaskState.New))
            await timer.WaitForNextTickAsync(token);
        logger.LogInformation("Stopped every task of service {Service}", service);
    }

    public async Task RemoveAsync(string service, CancellationToken token)
    {
        try
        {
            await docker.Swarm.RemoveServiceAsync(service, token);
            logger.LogInformation("Removed service {Service}", service);
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>
    /// Waits until the service runs exactly <paramref name="replicas"/> tasks, all of <paramref name="image"/>, and returns
    /// them with their addresses; tasks that keep failing to start end the wait with the engine's reason.
    /// </summary>
    public async Task<IReadOnlyList<RunningTask>> WaitForReplicasAsync(string application, string service, string image, int replicas, string network,
        CancellationToken token)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var knownFailures = (await SwarmTasks.FailedAsync(docker, service, token)).Select(f => f.TaskId).ToHashSet();
        var settling = 0;
        var looks = 0;
        var nextFailureLook = FailureLookInterval;
        while (true)
        {
            looks++;
            var running = await SwarmTasks.RunningAsync(docker, service, network, token);
            var current = running.Where(t => t.Image == image).ToList();
            if (current.Count == replicas && running.Count == replicas)
            {
                logger.LogInformation("{Service} runs {Replicas} replica(s) of {Image}, seen after {WaitMs:0} ms and {Looks} look(s)",
                    service, replicas, image, watch.Elapsed.TotalMilliseconds, looks);
                return current;
            }
            if (settling > 0 || watch.Elapsed >= nextFailureLook)
            {
                await ThrowIfFailingAsync(application, service, image, knownFailures, token);
                nextFailureLook = watch.Elapsed + FailureLookInterval;
            }
            if (settling > 0)
            {
                settling--;
                await Task.Delay(SettleInterval, token);
            }
            else if (await events.WaitAsync(service, options.Value.PollInterval, token))
            {
                settling = SettleLooks;
                await Task.Delay(SettleInterval, token);
            }
        }
    }

    /// <summary>Throws with the engine's reason once tasks of <paramref name="image"/> failed to start too often.</summary>
    public async Task ThrowIfFailingAsync(string application, string service, string image, IReadOnlySet<string> knownFailures, CancellationToken token)
    {
        var failures = (await SwarmTasks.FailedAsync(docker, service, token)).Where(f => f.Image == image && !knownFailures.Contains(f.TaskId)).ToList();
        if (failures.Count >= options.Value.MaxFailedTasks)
            throw new DeploymentFailedException($"{application}'s containers keep failing ({failures.Count} failed starts); the engine says: {failures[0].Error}");
    }

    public async Task<IReadOnlySet<string>> FailedTaskIdsAsync(string service, CancellationToken token) =>
        (await SwarmTasks.FailedAsync(docker, service, token)).Select(f => f.TaskId).ToHashSet();
}
