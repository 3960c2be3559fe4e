using Prometheus;

namespace Rad.Status.Monitoring;

/// <summary>
/// Reads the deployment gauges just before every scrape of /metrics, while the service runs. Takes the deployment
/// metrics too, so they are registered (at zero) from the first scrape, not from the first saga step.
/// </summary>
public sealed class DeploymentGaugesCollector(DeploymentGauges gauges, DeploymentMetrics metrics) : IHostedService
{
    volatile bool _running;

    public DeploymentMetrics Metrics { get; } = metrics;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _running = true;
        // prometheus-net keeps its callbacks for the life of the process; one of a stopped host does nothing.
        Prometheus.Metrics.DefaultRegistry.AddBeforeCollectCallback(token => _running ? gauges.RefreshAsync(token) : Task.CompletedTask);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _running = false;
        return Task.CompletedTask;
    }
}
