using System.Text.Json.Nodes;

namespace Rad.Docker;

public sealed record RunningTask(string TaskId, string Image, string Address);

public sealed record FailedTask(string TaskId, string Image, string State, string Error);

/// <summary>What Swarm runs for a service: the deployer waits on it and the edge routes to it, so both read it the same way.</summary>
public static class SwarmTasks
{
    public static async Task<JsonArray> ServicesAsync(DockerClient docker, CancellationToken token, params (string, string)[] filters) =>
        await docker.GetArrayAsync("/services?filters=" + DockerClient.Filters(filters), token);

    /// <summary>Tasks that Swarm wants running and that are running, with their address on <paramref name="network"/>.</summary>
    public static async Task<IReadOnlyList<RunningTask>> RunningAsync(DockerClient docker, string service, string network, CancellationToken token)
    {
        var tasks = await docker.GetArrayAsync("/tasks?filters=" + DockerClient.Filters(("service", service), ("desired-state", "running")), token);
        var result = new List<RunningTask>();
        foreach (var task in tasks.OfType<JsonObject>())
        {
            if (task["Status"]?["State"]?.GetValue<string>() != "running")
                continue;
            var address = await AddressOnAsync(docker, task, network, token);
            if (address is null)
                continue;
            result.Add(new RunningTask(task["ID"]!.GetValue<string>(), ImageOf(task), address));
        }
        return result;
    }

    /// <summary>Tasks of the service that ended in failure or were rejected, newest first, with the engine's reason.</summary>
    public static async Task<IReadOnlyList<FailedTask>> FailedAsync(DockerClient docker, string service, CancellationToken token)
    {
        var tasks = await docker.GetArrayAsync("/tasks?filters=" + DockerClient.Filters(("service", service)), token);
        return tasks.OfType<JsonObject>()
            .Where(t => t["Status"]?["State"]?.GetValue<string>() is "failed" or "rejected")
            .OrderByDescending(t => t["UpdatedAt"]?.GetValue<string>(), StringComparer.Ordinal)
            .Select(t => new FailedTask(t["ID"]!.GetValue<string>(), ImageOf(t), t["Status"]!["State"]!.GetValue<string>(),
                t["Status"]?["Err"]?.GetValue<string>() ?? t["Status"]?["Message"]?.GetValue<string>() ?? "no reason given"))
            .ToList();
    }

    static string ImageOf(JsonObject task) => task["Spec"]?["ContainerSpec"]?["Image"]?.GetValue<string>() ?? "";

    // Swarm records no addresses for attachments to bridge networks, so the task's container is asked.
    static async Task<string?> AddressOnAsync(DockerClient docker, JsonObject task, string network, CancellationToken token)
    {
        var containerId = task["Status"]?["ContainerStatus"]?["ContainerID"]?.GetValue<string>();
        if (string.IsNullOrEmpty(containerId))
            return null;
        var container = await docker.InspectOrNullAsync($"/containers/{containerId}/json", token);
        var address = container?["NetworkSettings"]?["Networks"]?[network]?["IPAddress"]?.GetValue<string>();
        return string.IsNullOrEmpty(address) ? null : address;
    }
}
