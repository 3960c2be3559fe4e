using Docker.DotNet;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Docker;

namespace Rad.Clusters.Swarm;

/// <summary>
/// Removes blue-green previous sets on the local Swarm once their keep_previous has passed (label rad.retire-after) and
/// they still take no traffic; until then a rollback to them is only a switch.
/// </summary>
public sealed class RetiredSlotSweeper(IDockerClient docker, ApplicationLocks locks, IOptions<DeployerOptions> options, ILogger<RetiredSlotSweeper> logger)
    : BackgroundService
{
    string? _lastProblem;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
                _lastProblem = null;
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
            {
                // No Swarm yet: nothing was kept.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The sweeper must never stop the deployer's host. Said once per kind of problem: a deployer without a
                // Docker engine (Kubernetes only) would say it every sweep.
                if (e.Message != _lastProblem)
                    logger.LogWarning("Sweeping retired slots failed ({Reason}); trying again every {Interval}", e.Message, options.Value.SweepInterval);
                _lastProblem = e.Message;
            }
        }
    }

    async Task SweepAsync(CancellationToken token)
    {
        var due = (await SwarmTasks.ServicesAsync(docker, token, ("label", SwarmSlot.RetireAfterLabel)))
            .Select(SwarmSlot.From).OfType<SwarmSlot>().Where(Due).ToList();
        foreach (var slot in due)
        {
            // Under the application's lock and read again: a rollback may have just switched back to it.
            using var held = await locks.AcquireAsync(slot.Application, token);
            SwarmSlot? current;
            try
            {
                current = SwarmSlot.From(await docker.Swarm.InspectServiceAsync(slot.Service.ID, token));
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                continue;
            }
            if (current is null || !Due(current))
                continue;
            await docker.Swarm.RemoveServiceAsync(current.Service.ID, token);
            logger.LogInformation("Removed {Service}, the previous set of {Application} kept until {RetireAfter}", current.ServiceName, current.Application,
                RolloutPolicy.FormatKeptUntil(current.RetireAfter!.Value));
        }
    }

    static bool Due(SwarmSlot slot) => slot.Traffic == 0 && slot.RetireAfter is { } at && at <= DateTimeOffset.UtcNow;
}
