using Docker.DotNet;
using Docker.DotNet.Models;
using Rad.Docker;

namespace Rad.Clusters.Swarm;

/// <summary>
/// Heals a known Docker engine fault (moby/moby#37087, #38318): after the engine stops uncleanly (a reboot, a killed
/// dockerd), its bridge driver restores a swarm-scoped network from its local store, Swarm tries to create it again,
/// and every task on it is rejected with "network &lt;id&gt; exists", so nothing on RAD's network can start again.
/// The network is replaced by a fresh one of the same name (a new id the driver has never seen): the services on it are
/// detached, the network is removed and created again, and the services are attached back, so they start by themselves.
/// </summary>
public sealed class StaleNetworkRepair(IDockerClient docker, ILogger<StaleNetworkRepair> logger)
{
    /// <summary>True when it found the fault on <paramref name="network"/> and replaced the network.</summary>
    public async Task<bool> RepairIfStaleAsync(NetworkResponse network, Func<CancellationToken, Task> createNetwork, CancellationToken token)
    {
        var (id, name) = (network.ID, network.Name);
        var symptom = $"network {id} exists";
        var tasks = await docker.Tasks.ListAsync(token);
        if (!tasks.Any(t => t.Status?.Err == symptom))
            return false;

        var services = (await docker.Swarm.ListServicesAsync(new ServiceListParameters(), token))
            .Where(s => s.Spec?.TaskTemplate?.Networks?.Any(n => n.Target == id || n.Target == name) == true)
            .Select(s => s.ID)
            .ToList();
        logger.LogWarning("Network {Network} ({NetworkId}) is stale after an unclean engine restart (tasks rejected with '{Symptom}'); replacing it and re-attaching {Count} service(s)",
            name, id, symptom, services.Count);

        foreach (var service in services)
            await UpdateNetworksAsync(service, [], token);
        await RemoveAsync(id, name, token);
        await createNetwork(token);
        foreach (var service in services)
            await UpdateNetworksAsync(service, [new NetworkAttachmentConfig { Target = name }], token);
        logger.LogInformation("Replaced network {Network}; {Count} service(s) re-attached", name, services.Count);
        return true;
    }

    async Task UpdateNetworksAsync(string serviceId, IList<NetworkAttachmentConfig> networks, CancellationToken token)
    {
        var service = await docker.Swarm.InspectServiceAsync(serviceId, token);
        var spec = service.Spec ?? throw new InvalidOperationException($"service {serviceId} has no spec");
        spec.TaskTemplate ??= new TaskSpec();
        spec.TaskTemplate.Networks = networks;
        await docker.Swarm.UpdateServiceAsync(serviceId, new ServiceUpdateParameters { Service = spec, Version = (long)service.Version!.Index!.Value }, token);
    }

    /// <summary>The manager refuses to remove a network while detached tasks still hold it; that clears within seconds.</summary>
    async Task RemoveAsync(string id, string name, CancellationToken token)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await docker.Networks.DeleteNetworkAsync(id, token);
                return;
            }
            catch (DockerNetworkNotFoundException)
            {
                return;
            }
            catch (DockerApiException e) when (attempt < 50 && e.StatusCode != System.Net.HttpStatusCode.NotFound)
            {
                logger.LogDebug("Network {Network} not removable yet: {Reason}", name, e.EngineMessage());
                await Task.Delay(200, token);
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return;
            }
        }
    }
}
