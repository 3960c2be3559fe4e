using MassTransit;
using Microsoft.Extensions.Options;
using Rad.Contracts;

namespace Rad.Status.Collection;

/// <summary>
/// Image collection: tells the builder which images the release history still needs and has it remove the rest, on a
/// schedule (Rad:Gc:Interval) and on request (POST /api/gc, rad gc). The history decides; the builder only knows its engine.
/// </summary>
public sealed class ImageCollector(
    KeptImages kept,
    IRequestClient<PruneImages> builder,
    IOptions<ImageCollectionOptions> options,
    TimeProvider clock,
    ILogger<ImageCollector> logger) : BackgroundService
{
    public async Task<ImagesPruned> RunAsync(bool dryRun, CancellationToken token)
    {
        var settings = options.Value;
        var (repositories, keep, forget) = await kept.ReadAsync(settings.KeepRevisions, clock.GetUtcNow() - settings.MinimumAge, token);
        var answer = await builder.GetResponse<ImagesPruned>(new PruneImages(dryRun, repositories, keep, settings.MinimumAge, forget), token, RequestTimeout.After(m: 15));
        return answer.Message;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Interval == TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var result = await RunAsync(dryRun: false, stoppingToken);
                logger.LogInformation("Image collection removed {Removed} engine images ({Megabytes:0.0} MB) and {Forgotten} registry manifests; {Refused} could not go",
                    result.Removed.Count, result.Bytes / 1e6, result.RegistryRemoved.Count, result.Refused.Count + result.RegistryRefused.Count);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Image collection failed; trying again in {Interval}: {Reason}", options.Value.Interval, e.Message);
            }
        }
    }
}
