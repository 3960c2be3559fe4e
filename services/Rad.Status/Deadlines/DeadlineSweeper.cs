using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Contracts;
using Rad.Status.Persistence;

namespace Rad.Status.Deadlines;

public sealed class DeadlineSweeperOptions
{
    public const string Section = "Rad:Deadlines";
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan RepublishAfter { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Stands in for a durable message scheduler (none exists here): deadlines live on the saga row, and this publishes
/// a timeout for every deployment whose open stage is overdue. The saga decides; a late timeout changes nothing.
/// </summary>
public sealed class DeadlineSweeper(
    DeploymentQueries queries,
    IBus bus,
    TimeProvider clock,
    IOptions<DeadlineSweeperOptions> options,
    ILogger<DeadlineSweeper> logger) : BackgroundService
{
    readonly Dictionary<(Guid, string), DateTimeOffset> _published = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Deadline sweep failed; trying again next tick");
            }
        }
    }

    public async Task SweepAsync(CancellationToken token)
    {
        var now = clock.GetUtcNow();
        foreach (var key in _published.Where(p => now - p.Value > options.Value.RepublishAfter).Select(p => p.Key).ToList())
            _published.Remove(key);
        foreach (var (id, stage) in await queries.OverdueAsync(now, token))
        {
            if (!_published.TryAdd((id, stage), now))
                continue;
            logger.LogWarning("Stage {Stage} of deployment {DeploymentId} is past its deadline", stage, id);
            await bus.Publish(new DeploymentStageTimedOut(id, stage), token);
        }
    }
}
