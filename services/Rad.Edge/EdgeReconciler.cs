using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using Rad.Docker;

namespace Rad.Edge;

/// <summary>Brings HAProxy in step with the running tasks of RAD's services; reloads only when the routes changed.</summary>
public sealed class EdgeReconciler(IDockerClient docker, HaproxyControl haproxy, IOptions<EdgeOptions> options, ILogger<EdgeReconciler> logger)
{
    readonly SemaphoreSlim _gate = new(1, 1);
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
                await WriteValidatedAsync(settings.ConfigPath, config, token);
                await haproxy.ReloadAsync(token);
                logger.LogInformation("Edge reloaded: {Routes}", string.Join("; ", routes.Select(r => $"{r.Port} -> {string.Join(",", r.Backends)}")));
            }
            _routes = routes;
            return routes;
        }
        finally
        {
            _gate.Release();
        }
    }

    async Task<IReadOnlyList<EdgeRoute>> DesiredRoutesAsync(CancellationToken token)
    {
        var network = options.Value.Network;
        IList<SwarmService> services;
        try
        {
            services = await SwarmTasks.ServicesAsync(docker, token, ("label", "rad.managed=true"));
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            // No Swarm yet (the first deployment's provisioning creates it): nothing runs, so nothing is routed.
            return [];
        }
        var routes = new List<EdgeRoute>();
        foreach (var service in services)
        {
            var labels = service.Spec?.Labels;
            var name = labels.Label("rad.application");
            if (name is null || !int.TryParse(labels.Label("rad.port"), out var port) || !int.TryParse(labels.Label("rad.container-port"), out var containerPort))
                continue;
            var tasks = await SwarmTasks.RunningAsync(docker, name, network, token);
            // During a rollout old and new tasks both run and both serve; once Swarm stops an old task it leaves this list.
            routes.Add(new EdgeRoute(port, name, tasks.Select(t => $"{t.Address}:{containerPort}").Distinct().ToList()));
        }
        return routes;
    }

    static async Task WriteValidatedAsync(string path, string config, CancellationToken token)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var candidate = path + ".next";
        await File.WriteAllTextAsync(candidate, config, token);
        var check = Process.Start(new ProcessStartInfo("haproxy", ["-c", "-q", "-f", candidate]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var errors = await check.StandardError.ReadToEndAsync(token);
        await check.WaitForExitAsync(token);
        if (check.ExitCode != 0)
            throw new InvalidOperationException($"HAProxy rejects the generated configuration {candidate}: {errors.Trim()}");
        File.Move(candidate, path, overwrite: true);
    }
}
