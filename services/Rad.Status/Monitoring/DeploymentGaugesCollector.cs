using Prometheus;

namespace Rad.Status.Monitoring;

/// <summary>Reads the deployment gauges just before every scrape of /metrics, while the service runs.</summary>
public sealed class DeploymentGaugesCollector(DeploymentGauges gauges) : IHostedService
{
    volatile bool _running;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _running = true;
        // prometheus-net keeps its callbacks for the life of the process; one of a stopped host does nothing.
        Metrics.DefaultRegistry.AddBeforeCollectCallback(token => _running ? gauges.RefreshAsync(token) : Task.CompletedTask);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _running = false;
        return Task.CompletedTask;
    }
}
