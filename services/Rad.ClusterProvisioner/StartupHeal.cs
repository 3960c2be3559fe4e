using Rad.Clusters.Swarm;

namespace Rad.ClusterProvisioner;

/// <summary>Runs LocalSwarm.HealAsync once when the service starts; a failure is logged, never fatal (the next deployment tries again).</summary>
public sealed class StartupHeal(LocalSwarm swarm, ILogger<StartupHeal> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await swarm.HealAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not check the local Swarm network at start-up; the next deployment checks it again");
        }
    }
}
