using Docker.DotNet;
using Docker.DotNet.Models;

namespace Rad.Docker;

/// <summary>A running task: its image, its address on the network asked for, and when Swarm created it.</summary>
public sealed record RunningTask(string TaskId, string Image, string Address, DateTime CreatedAt = default);

public sealed record FailedTask(string TaskId, string Image, string State, string Error);

/// <summary>What Swarm runs for a service: the deployer waits on it and the edge routes to it, so both read it the same way.</summary>
public static class SwarmTasks
{
    /// <summary>The label Swarm puts on every task's container: the service's name.</summary>
    public const string ServiceNameLabel = "com.docker.swarm.service.name";

    public static Task<IList<SwarmService>> ServicesAsync(IDockerClient docker, CancellationToken token, params (string, string)[] filters) =>
        docker.Swarm.ListServicesAsync(new ServiceListParameters { Filters = DockerApi.Filters(filters) }, token);

    /// <summary>Tasks that Swarm wants running and that are running, with their address on <paramref name="network"/>.</summary>
    public static async Task<IReadOnlyList<RunningTask>> RunningAsync(IDockerClient docker, string service, string network, CancellationToken token)
    {
        var tasks = await ListOrNoneAsync(docker, new TasksListParameters { Filters = DockerApi.Filters(("service", service), ("desired-state", "running")) }, token);
        var result = new List<RunningTask>();
        foreach (var task in tasks.Where(MayRun))
        {
            if (await AddressOnAsync(docker, task, network, token) is { } address)
                result.Add(new RunningTask(task.ID, ImageOf(task), address, task.CreatedAt ?? default));
        }
        return result;
    }

    /// <summary>
    /// The running tasks of every service at once, by service id: one list of tasks, and an inspect only for containers
    /// <paramref name="addresses"/> has not seen, so the edge's cost per look does not grow with what already runs.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, List<RunningTask>>> RunningByServiceAsync(IDockerClient docker, string network,
        ContainerAddresses addresses, CancellationToken token)
    {
        var tasks = await docker.Tasks.ListAsync(new TasksListParameters { Filters = DockerApi.Filters(("desired-state", "running")) }, token);
        var running = tasks
            .Where(MayRun)
            .Select(t => (Task: t, Service: NonEmpty(t.ServiceID), Container: NonEmpty(t.Status?.ContainerStatus?.ContainerID)))
            .ToList();
        addresses.KeepOnly(running.Select(r => r.Container).OfType<string>());
        var result = new Dictionary<string, List<RunningTask>>(StringComparer.Ordinal);
        foreach (var (task, service, container) in running)
        {
            if (service is null || container is null)
                continue;
            if (await addresses.GetAsync(container, () => AddressOnAsync(docker, task, network, token)) is not { } address)
                continue;
            if (!result.TryGetValue(service, out var list))
                result[service] = list = [];
            list.Add(new RunningTask(task.ID, ImageOf(task), address, task.CreatedAt ?? default));
        }
        return result;
    }

    /// <summary>Tasks of the service that ended in failure or were rejected, newest first, with the engine's reason.</summary>
    public static async Task<IReadOnlyList<FailedTask>> FailedAsync(IDockerClient docker, string service, CancellationToken token)
    {
        var tasks = await ListOrNoneAsync(docker, new TasksListParameters { Filters = DockerApi.Filters(("service", service)) }, token);
        return tasks
            .Where(t => t.Status?.State is TaskState.Failed or TaskState.Rejected)
            .OrderByDescending(t => t.UpdatedAt)
            .Select(t => new FailedTask(t.ID, ImageOf(t), t.Status!.State == TaskState.Failed ? "failed" : "rejected",
                NonEmpty(t.Status.Err) ?? NonEmpty(t.Status.Message) ?? "no reason given"))
            .ToList();
    }

    // A service removed while it is being looked at (a rollout removing an old slot) has no tasks any more.
    static async Task<IList<TaskResponse>> ListOrNoneAsync(IDockerClient docker, TasksListParameters parameters, CancellationToken token)
    {
        try
        {
            return await docker.Tasks.ListAsync(parameters, token);
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }
    }

    static string ImageOf(TaskResponse task) => task.Spec?.ContainerSpec?.Image ?? "";

    static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>
    /// Running by Swarm's record, or still "starting" there while its container may already run. Swarm's record of a
    /// task's start reaches its API up to some 100 ms after the container started (its dispatcher batches the updates
    /// from the node; measured here), so a task it calls starting counts once its container runs, and is healthy when
    /// the image declares a health check, which is when Swarm itself will call it running.
    /// </summary>
    static bool MayRun(TaskResponse task) => task.Status?.State is TaskState.Running or TaskState.Starting;

    static bool Runs(ContainerInspectResponse container) =>
        container.State is { Running: true } state && (state.Health is null || state.Health.Status is null or "" or "none" or "healthy");

    // Swarm records no addresses for attachments to bridge networks, so the task's container is asked.
    static async Task<string?> AddressOnAsync(IDockerClient docker, TaskResponse task, string network, CancellationToken token)
    {
        var containerId = task.Status?.ContainerStatus?.ContainerID;
        if (string.IsNullOrEmpty(containerId))
            return null;
        try
        {
            var container = await docker.Containers.InspectContainerAsync(containerId, token);
            if (task.Status!.State != TaskState.Running && !Runs(container))
                return null;
            return container.NetworkSettings?.Networks is { } networks && networks.TryGetValue(network, out var endpoint) ? NonEmpty(endpoint.IPAddress) : null;
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }
}
