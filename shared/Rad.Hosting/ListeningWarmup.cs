using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Rad.Hosting;

/// <summary>
/// A warm-up that runs once the service listens and holds its health check unhealthy ("warming up") until it ends, ended
/// early or not: it waits for the server, bounds the work by <paramref name="limit"/>, and gives the subclass the
/// server's loopback address.
/// </summary>
public abstract class ListeningWarmup(IServer server, IHostApplicationLifetime lifetime, TimeSpan limit) : BackgroundService, IHealthCheck
{
    volatile bool _done;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_done ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("warming up"));

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await ServerStart.WaitAsync(lifetime, stoppingToken))
            return;
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            bounded.CancelAfter(limit);
            await WarmAsync(ServerStart.LoopbackAddress(server), bounded.Token, stoppingToken);
        }
        finally
        {
            _done = true;
        }
    }

    /// <summary>
    /// The warm-up itself, with the server's address (null when it has none) and a token that ends at the limit or at
    /// the service's stop (<paramref name="stoppingToken"/> alone tells the two apart).
    /// </summary>
    protected abstract Task WarmAsync(Uri? address, CancellationToken limit, CancellationToken stoppingToken);
}
