using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rad.Docker;

namespace Rad.ClusterProvisioner;

public sealed class ClusterProvisioningException(string message) : Exception(message);

/// <summary>Makes the local engine a single-node Swarm manager with RAD's network; seconds, where a cloud cluster took RAD 29 minutes.</summary>
public sealed class LocalSwarm(DockerClient docker, StaleNetworkRepair repair, IOptions<LocalSwarmOptions> options, ILogger<LocalSwarm> logger)
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
            var info = await docker.InfoAsync(token);
            if (info["Swarm"]?["ControlAvailable"]?.GetValue<bool>() == true
                && await docker.InspectOrNullAsync($"/networks/{options.Value.Network}", token) is { } network)
                await repair.RepairIfStaleAsync(network, CreateNetworkAsync, token);
        }
        finally
        {
            _gate.Release();
        }
    }

    async Task<bool> EnsureSwarmAsync(CancellationToken token)
    {
        JsonObject info;
        try
        {
            info = await docker.InfoAsync(token);
        }
        catch (HttpRequestException e)
        {
            throw new ClusterProvisioningException($"the Docker engine at {docker.SocketPath} does not answer ({e.Message}); start it (scripts/up does)");
        }
        var state = info["Swarm"]?["LocalNodeState"]?.GetValue<string>() ?? "inactive";
        var manager = info["Swarm"]?["ControlAvailable"]?.GetValue<bool>() ?? false;
        switch (state)
        {
            case "active" when manager:
                return false;
            case "active":
                throw new ClusterProvisioningException("this Docker engine is a Swarm worker, not a manager; RAD deploys through a manager node");
            case "inactive":
                var address = options.Value.AdvertiseAddress;
                try
                {
                    await docker.PostAsync("/swarm/init", new JsonObject { ["ListenAddr"] = $"{address}:2377", ["AdvertiseAddr"] = address }, token);
                }
                catch (DockerApiException e) when (e.Status == HttpStatusCode.ServiceUnavailable && e.EngineMessage.Contains("already part of a swarm"))
                {
                    return false;
                }
                logger.LogInformation("Initialised a single-node Swarm advertising {Address}", address);
                return true;
            default:
                throw new ClusterProvisioningException($"the local Swarm is in state '{state}' ({info["Swarm"]?["Error"]?.GetValue<string>()}); reset it with 'docker swarm leave --force'");
        }
    }

    async Task<bool> EnsureNetworkAsync(CancellationToken token)
    {
        var name = options.Value.Network;
        var existing = await docker.InspectOrNullAsync($"/networks/{name}", token);
        if (existing is not null)
        {
            var driver = existing["Driver"]?.GetValue<string>();
            var scope = existing["Scope"]?.GetValue<string>();
            if (driver != "bridge" || scope != "swarm")
                throw new ClusterProvisioningException($"network '{name}' exists with driver '{driver}' and scope '{scope}'; RAD needs a swarm-scoped bridge network: remove it or set Rad__Local__Network");
            return await repair.RepairIfStaleAsync(existing, CreateNetworkAsync, token);
        }
        return await CreateNetworkAsync(token);
    }

    async Task<bool> CreateNetworkAsync(CancellationToken token)
    {
        var name = options.Value.Network;
        try
        {
            await docker.PostAsync("/networks/create", new JsonObject
            {
                ["Name"] = name,
                ["Driver"] = "bridge",
                ["Scope"] = "swarm",
                ["Attachable"] = true,
                ["CheckDuplicate"] = true,
                ["Labels"] = new JsonObject { ["rad.managed"] = "true" },
            }, token);
        }
        catch (DockerApiException e) when (e.Status == HttpStatusCode.Conflict)
        {
            return false;
        }
        logger.LogInformation("Created swarm-scoped bridge network {Network}", name);
        return true;
    }
}
