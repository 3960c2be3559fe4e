using Microsoft.Extensions.Hosting;

namespace Rad.Clusters.Kubernetes;

/// <summary>
/// Every minute, deletes the blue-green slots kept past keep_previous on every registered Kubernetes cluster, so a slot
/// goes on time even when no deployment follows. Runs in the deployer.
/// </summary>
public sealed class PreviousSlotSweeper(ClusterRegistry registry, IKubernetesClientFactory clients, ILogger<PreviousSlotSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(token))
            await SweepAllAsync(token);
    }

    public async Task SweepAllAsync(CancellationToken token)
    {
        IReadOnlyList<RegisteredCluster> clusters;
        try
        {
            clusters = await registry.ListAsync(token);
        }
        // A sweep that fails must never stop the deployer (an exception leaving ExecuteAsync stops the host): log and try next time.
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Cannot list the registered clusters to sweep kept blue-green slots: {Reason}", e.Message);
            return;
        }
        foreach (var cluster in clusters.Where(c => c.Provisioned))
        {
            try
            {
                using var client = clients.Connect(cluster);
                await PreviousSlots.SweepAsync(client, cluster.Namespace, DateTimeOffset.UtcNow, logger, token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Cannot sweep kept blue-green slots on {Cluster}: {Reason}", cluster, e.Message);
            }
        }
    }
}
