using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using Rad.Docker;

namespace Rad.Clusters.Swarm;

/// <summary>Makes the local engine a single-node Swarm manager with RAD's network; seconds, where a cloud cluster took RAD 29 minutes.</summary>
public sealed class LocalSwarm(IDockerClient docker, StaleNetworkRepair repair, IOptions<LocalSwarmOptions> options, ILogger<LocalSwarm> logger)
{
    readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Returns true when this call created the swarm or the network.</summary>
    public async Task<bool> EnsureAsync(CancellationToken token)
    {
        await _gate.WaitAsync(token);
        try
        {
            var created = await EnsureSwarmAsync(token);
            return await EnsureNetworkAsync(token) || created;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>At start-up: if this engine already runs RAD's Swarm, heal its network so applications come back after a reboot without waiting for a deployment.</summary>
    public async Task HealAsync(CancellationToken token)
    {
        await _gate.WaitAsync(token);
        try
        {
            var info = await docker.System.GetSystemInfoAsync(token);
            if (info.Swarm?.ControlAvailable == true && await InspectNetworkOrNullAsync(options.Value.Network, token) is { } network)
                await repair.RepairIfStaleAsync(network, CreateNetworkAsync, token);
        }
        finally
        {
            _gate.Release();
        }
    }

    async Task<bool> EnsureSwarmAsync(CancellationToken token)
    {
        SystemInfoResponse info;
        try
        {
            info = await docker.System.GetSystemInfoAsync(token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new ClusterProvisioningException($"the Docker engine does not answer ({e.Message}); start it (scripts/up does)");
        }
        var state = string.IsNullOrEmpty(info.Swarm?.LocalNodeState) ? "inactive" : info.Swarm.LocalNodeState;
        switch (state)
        {
            case "active" when info.Swarm!.ControlAvailable:
                return false;
            case "active":
                throw new ClusterProvisioningException("this Docker engine is a Swarm worker, not a manager; RAD deploys through a manager node");
            case "inactive":
                var address = options.Value.AdvertiseAddress;
                try
                {
                    await docker.Swarm.InitSwarmAsync(new SwarmInitParameters { ListenAddr = $"{address}:2377", AdvertiseAddr = address }, token);
                }
                catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.ServiceUnavailable && e.EngineMessage().Contains("already part of a swarm"))
                {
                    return false;
                }
                logger.LogInformation("Initialised a single-node Swarm advertising {Address}", address);
                return true;
            default:
                throw new ClusterProvisioningException($"the local Swarm is in state '{state}' ({info.Swarm?.Error}); reset it with 'docker swarm leave --force'");
        }
    }

    async Task<bool> EnsureNetworkAsync(CancellationToken token)
    {
        var name = options.Value.Network;
        var existing = await InspectNetworkOrNullAsync(name, token);
        if (existing is not null)
        {
            if (existing.Driver != "bridge" || existing.Scope != "swarm")
                throw new ClusterProvisioningException($"network '{name}' exists with driver '{existing.Driver}' and scope '{existing.Scope}'; RAD needs a swarm-scoped bridge network: remove it or set Rad__Local__Network");
            return await repair.RepairIfStaleAsync(existing, CreateNetworkAsync, token);
        }
        return await CreateNetworkAsync(token);
    }

    async Task<NetworkResponse?> InspectNetworkOrNullAsync(string name, CancellationToken token)
    {
        try
        {
            return await docker.Networks.InspectNetworkAsync(name, token);
        }
        catch (DockerNetworkNotFoundException)
        {
            return null;
        }
    }

    async Task<bool> CreateNetworkAsync(CancellationToken token)
    {
        var name = options.Value.Network;
        try
        {
            // Swarm itself refuses a second network of the same name (409), so two creations cannot race into duplicates.
            await docker.Networks.CreateNetworkAsync(new NetworksCreateParameters
            {
                Name = name,
                Driver = "bridge",
                Scope = "swarm",
                Attachable = true,
                Labels = new Dictionary<string, string> { ["rad.managed"] = "true" },
            }, token);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
        logger.LogInformation("Created swarm-scoped bridge network {Network}", name);
        return true;
    }
}
