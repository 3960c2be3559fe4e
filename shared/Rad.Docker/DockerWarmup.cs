using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Rad.Docker;

/// <summary>
/// Before the service reports healthy: the engine client's first calls (connection, serializers, the models RAD reads
/// most), so the first deployment after a start does not pay for them. Bounded; a missing engine only delays nothing.
/// </summary>
public sealed class DockerWarmup(IDockerClient docker, ILogger<DockerWarmup> logger) : IHostedService
{
    static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        var watch = Stopwatch.StartNew();
        try
        {
            await docker.System.PingAsync(limit.Token);
            await docker.Images.ListImagesAsync(new ImagesListParameters { Filters = DockerApi.Filters(("label", "rad.warmup")) }, limit.Token);
            await docker.Swarm.ListServicesAsync(new ServiceListParameters { Filters = DockerApi.Filters(("label", "rad.managed=true")) }, limit.Token);
            await docker.Tasks.ListAsync(new TasksListParameters { Filters = DockerApi.Filters(("desired-state", "running")) }, limit.Token);
            logger.LogInformation("Docker engine client warmed up in {ElapsedMs:0} ms", watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or TimeoutException
                                      || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Not a Swarm yet (503), or no engine: the real work says so when it comes.
            logger.LogInformation("Docker engine client warm-up ended early after {ElapsedMs:0} ms ({Reason})", watch.Elapsed.TotalMilliseconds, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
