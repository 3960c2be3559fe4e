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
        return (await AddressesAsync(docker, tasks.Where(MayRun).ToList(), network, token))
            .Select(x => new RunningTask(x.Task.ID, ImageOf(x.Task), x.Address, x.Task.CreatedAt ?? default))
            .ToList();
    }

    /// <summary>
    /// The running tasks of every service at once, by service id: one list of tasks, and one list of the containers
    /// <paramref name="addresses"/> does not know yet, so the edge's cost per look does not grow with what already runs
    /// (listing every task container cost the engine 4-5 ms of CPU with 43 of them running, one new one 0.4 ms).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, List<RunningTask>>> RunningByServiceAsync(IDockerClient docker, string network,
        ContainerAddresses addresses, CancellationToken token)
    {
        var tasks = (await docker.Tasks.ListAsync(new TasksListParameters { Filters = DockerApi.Filters(("desired-state", "running")) }, token))
            .Where(t => MayRun(t) && NonEmpty(t.ServiceID) is not null && ContainerOf(t) is not null)
            .ToList();
        addresses.KeepOnly(tasks.Select(t => ContainerOf(t)!));
        foreach (var (task, address) in await AddressesAsync(docker, tasks.Where(t => !addresses.TryGet(ContainerOf(t)!, out _)).ToList(), network, token))
            addresses.Remember(ContainerOf(task)!, address);
        var result = new Dictionary<string, List<RunningTask>>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            if (!addresses.TryGet(ContainerOf(task)!, out var address))
                continue;
            if (!result.TryGetValue(task.ServiceID!, out var list))
                result[task.ServiceID!] = list = [];
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

    /// <summary>The label Swarm puts on every task's container: the task's id.</summary>
    const string TaskIdLabel = "com.docker.swarm.task.id";

    /// <summary>
    /// The engine's running task containers by id, in one list. A list is served from the engine's snapshot of its
    /// containers; an inspect waits for the container's lock, which a start holds to its end: inspecting a container
    /// being started took 434 ms here, and with a look inspecting one container after another, the edge learnt of the
    /// first new task only when every other one being started had started too.
    /// </summary>
    static async Task<Dictionary<string, ContainerListResponse>> TaskContainersAsync(IDockerClient docker, CancellationToken token,
        params (string, string)[] filters) =>
        (await docker.Containers.ListContainersAsync(new ContainersListParameters { Filters = DockerApi.Filters([("label", TaskIdLabel), .. filters]) }, token))
        .ToDictionary(c => c.ID, StringComparer.Ordinal);

    /// <summary>
    /// The addresses of these tasks whose containers run, from one list of just those containers (the engine takes
    /// several ids as "any of them"); none is asked when no task has a container yet.
    /// </summary>
    static async Task<IReadOnlyList<(TaskResponse Task, string Address)>> AddressesAsync(IDockerClient docker, IReadOnlyList<TaskResponse> tasks,
        string network, CancellationToken token)
    {
        var ids = tasks.Select(ContainerOf).OfType<string>().Select(id => ("id", id)).ToArray();
        if (ids.Length == 0)
            return [];
        var containers = await TaskContainersAsync(docker, token, ids);
        return tasks.Select(t => (Task: t, Address: AddressOf(t, containers, network))).Where(x => x.Address is not null).Select(x => (x.Task, x.Address!)).ToList();
    }

    static string? ContainerOf(TaskResponse task) => NonEmpty(task.Status?.ContainerStatus?.ContainerID);

    static string? AddressOf(TaskResponse task, IReadOnlyDictionary<string, ContainerListResponse> containers, string network)
    {
        if (ContainerOf(task) is not { } id || !containers.TryGetValue(id, out var container))
            return null;
        if (task.Status!.State != TaskState.Running && !Runs(container.State, container.Status))
            return null;
        return container.NetworkSettings?.Networks is { } networks && networks.TryGetValue(network, out var endpoint) ? NonEmpty(endpoint.IPAddress) : null;
    }

    /// <summary>
    /// Whether a container the engine lists (its State and Status columns) runs, and is healthy if its image declares a
    /// health check: the engine writes the health into the status, as "Up 3 seconds (health: starting)" or "(unhealthy)".
    /// </summary>
    public static bool Runs(string? state, string? status) =>
        state == "running" && status is not null
        && !status.Contains("(health: starting)", StringComparison.Ordinal) && !status.Contains("(unhealthy)", StringComparison.Ordinal);
}
