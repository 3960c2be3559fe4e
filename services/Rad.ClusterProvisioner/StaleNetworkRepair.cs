using System.Text.Json.Nodes;
using Rad.Docker;

namespace Rad.ClusterProvisioner;

/// <summary>
/// Heals a known Docker engine fault (moby/moby#37087, #38318): after the engine stops uncleanly (a reboot, a killed
/// dockerd), its bridge driver restores a swarm-scoped network from its local store, Swarm tries to create it again,
/// and every task on it is rejected with "network &lt;id&gt; exists", so nothing on RAD's network can start again.
/// The network is replaced by a fresh one of the same name (a new id the driver has never seen): the services on it are
/// detached, the network is removed and created again, and the services are attached back, so they start by themselves.
/// </summary>
public sealed class StaleNetworkRepair(DockerClient docker, ILogger<StaleNetworkRepair> logger)
{
    /// <summary>True when it found the fault on <paramref name="network"/> and replaced the network.</summary>
    public async Task<bool> RepairIfStaleAsync(JsonObject network, Func<CancellationToken, Task> createNetwork, CancellationToken token)
    {
        var id = network["Id"]!.GetValue<string>();
        var name = network["Name"]!.GetValue<string>();
        var symptom = $"network {id} exists";
        var tasks = await docker.GetArrayAsync("/tasks", token);
        if (!tasks.Any(t => t?["Status"]?["Err"]?.GetValue<string>() == symptom))
            return false;

        var services = (await docker.GetArrayAsync("/services", token)).OfType<JsonObject>()
            .Where(s => s["Spec"]?["TaskTemplate"]?["Networks"] is JsonArray networks && networks.Any(n => n?["Target"]?.GetValue<string>() is { } t && (t == id || t == name)))
            .Select(s => s["ID"]!.GetValue<string>())
            .ToList();
        logger.LogWarning("Network {Network} ({NetworkId}) is stale after an unclean engine restart (tasks rejected with '{Symptom}'); replacing it and re-attaching {Count} service(s)",
            name, id, symptom, services.Count);

        foreach (var service in services)
            await UpdateNetworksAsync(service, _ => [], token);
        await RemoveAsync(id, name, token);
        await createNetwork(token);
        foreach (var service in services)
            await UpdateNetworksAsync(service, _ => [new JsonObject { ["Target"] = name }], token);
        logger.LogInformation("Replaced network {Network}; {Count} service(s) re-attached", name, services.Count);
        return true;
    }

    async Task UpdateNetworksAsync(string serviceId, Func<JsonArray?, JsonNode[]> networks, CancellationToken token)
    {
        var service = await docker.GetObjectAsync($"/services/{serviceId}", token);
        var version = service["Version"]!["Index"]!.GetValue<long>();
        var spec = service["Spec"]!.AsObject();
        var template = spec["TaskTemplate"]!.AsObject();
        template["Networks"] = new JsonArray(networks(template["Networks"] as JsonArray));
        spec.Remove("Networks");
        await docker.PostAsync($"/services/{serviceId}/update?version={version}", spec.DeepClone(), token);
    }

    /// <summary>The manager refuses to remove a network while detached tasks still hold it; that clears within seconds.</summary>
    async Task RemoveAsync(string id, string name, CancellationToken token)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await docker.DeleteAsync($"/networks/{id}", token);
                return;
            }
            catch (DockerApiException e) when (attempt < 50 && e.Status != System.Net.HttpStatusCode.NotFound)
            {
                logger.LogDebug("Network {Network} not removable yet: {Reason}", name, e.EngineMessage);
                await Task.Delay(200, token);
            }
            catch (DockerApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
            {
                return;
            }
        }
    }
}
