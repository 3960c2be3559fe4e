using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Edge;

/// <summary>
/// Brings HAProxy in step with the running tasks of RAD's services and their slots' traffic shares: reloads when servers
/// or checks changed, sets weights over the admin socket when only they changed.
/// </summary>
public sealed class EdgeReconciler(IDockerClient docker, HaproxyControl haproxy, IOptions<EdgeOptions> options, ILogger<EdgeReconciler> logger)
{
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly ContainerAddresses _addresses = new();
    IReadOnlyList<EdgeRoute> _routes = [];

    public IReadOnlyList<EdgeRoute> Routes => _routes;

    public async Task<IReadOnlyList<EdgeRoute>> ReconcileAsync(CancellationToken token)
    {
        await _gate.WaitAsync(token);
        try
        {
            var routes = await DesiredRoutesAsync(token);
            var settings = options.Value;
            var config = HaproxyConfig.Render(routes, settings);
            var current = File.Exists(settings.ConfigPath) ? await File.ReadAllTextAsync(settings.ConfigPath, token) : "";
            if (config != current)
            {
                if (current.Length > 0 && HaproxyConfig.WithoutWeights(config) == HaproxyConfig.WithoutWeights(current) && await SetWeightsAsync(current, config, token))
                {
                    // The weights live in the file too, so the next reload keeps them. Only numbers changed in a file
                    // HAProxy already accepted, so it is not checked again (that check starts a process).
                    await EdgeFiles.ReplaceAsync(settings.ConfigPath, config, token);
                    logger.LogInformation("Edge weights set: {Routes}", Describe(routes));
                }
                else
                {
                    await haproxy.ApplyAsync(config, current, token);
                    logger.LogInformation("Edge reloaded: {Routes}", Describe(routes));
                }
            }
            _routes = routes;
            return routes;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Only weights changed (a switch, a canary step): HAProxy takes them at once over its admin socket, without the reload
    // that would restart its counters, which a canary's error rate is measured from.
    async Task<bool> SetWeightsAsync(string current, string next, CancellationToken token)
    {
        var before = HaproxyConfig.Weights(current);
        foreach (var (server, weight) in HaproxyConfig.Weights(next))
            if (before.GetValueOrDefault(server, -1) != weight && !await haproxy.SetWeightAsync(server, weight, token))
                return false;
        return true;
    }

    static string Describe(IEnumerable<EdgeRoute> routes) =>
        string.Join("; ", routes.Select(r => $"{r.Port} ({r.Mode}) -> " + string.Join(" ", r.Slots.Select(s => $"{s.Slot} {s.Traffic}% [{string.Join(",", s.Backends)}]"))));

    async Task<IReadOnlyList<EdgeRoute>> DesiredRoutesAsync(CancellationToken token)
    {
        var network = options.Value.Network;
        IList<SwarmService> services;
        try
        {
            services = await SwarmTasks.ServicesAsync(docker, token, ("label", $"{SwarmSlot.ManagedLabel}=true"));
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            // No Swarm yet (the first deployment's provisioning creates it): nothing runs, so nothing is routed.
            return [];
        }
        // Read after the services, so a task of a service created in between is simply seen at the next look.
        var running = await SwarmTasks.RunningByServiceAsync(docker, network, _addresses, token);
        var routes = new List<EdgeRoute>();
        foreach (var group in services.Select(SwarmSlot.From).OfType<SwarmSlot>().GroupBy(s => (s.Application, s.Port)))
        {
            var slots = new List<EdgeSlot>();
            foreach (var slot in group.OrderBy(s => s.Slot, StringComparer.Ordinal))
            {
                var tasks = running.GetValueOrDefault(slot.Service.ID) ?? [];
                // During a rollout old and new tasks both run; once Swarm stops a task it leaves this list.
                slots.Add(new EdgeSlot(slot.Slot, slot.Traffic, slot.Health, tasks.Select(t => $"{t.Address}:{slot.ContainerPort}").Distinct().ToList(),
                    tasks.Count == 0 ? default : tasks.Max(t => t.CreatedAt)));
            }
            // Only HTTP lets HAProxy count responses per server, which a canary is judged by.
            var mode = group.Any(s => s.Strategy == RolloutPolicy.CanaryStrategy) ? "http" : "tcp";
            routes.Add(new EdgeRoute(group.Key.Port, group.Key.Application, mode, slots));
        }
        return routes;
    }
}
