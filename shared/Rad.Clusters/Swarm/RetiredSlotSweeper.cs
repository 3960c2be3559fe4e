using Docker.DotNet;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rad.Docker;

namespace Rad.Clusters.Swarm;

/// <summary>
/// Removes blue-green previous sets on the local Swarm once their keep_previous has passed (label rad.retire-after) and
/// they still take no traffic; until then a rollback to them is only a switch.
/// </summary>
public sealed class RetiredSlotSweeper(IDockerClient docker, ApplicationLocks locks, IOptions<DeployerOptions> options, ILogger<RetiredSlotSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
            {
                // No Swarm yet: nothing was kept.
            }
            catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
            {
                logger.LogWarning("Sweeping retired slots failed ({Reason}); trying again", e.Message);
            }
        }
    }

    public async Task SweepAsync(CancellationToken token)
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
                SwarmSlot.FormatTime(current.RetireAfter!.Value));
        }
    }

    static bool Due(SwarmSlot slot) => slot.Traffic == 0 && slot.RetireAfter is { } at && at <= DateTimeOffset.UtcNow;
}
