using Dapper;
using Npgsql;
using Prometheus;

namespace Rad.Status.Monitoring;

/// <summary>
/// How many deployments run and wait now, read from PostgreSQL when Prometheus scrapes: right after a restart and the
/// same on every status instance (aggregate them with max, not sum). When the database does not answer within the
/// time limit the gauges keep their last values and rad_status_database_up says 0.
/// </summary>
public sealed class DeploymentGauges
{
    static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);

    readonly NpgsqlDataSource _dataSource;
    readonly ILogger<DeploymentGauges> _logger;
    readonly Gauge _inProgress;
    readonly Gauge _queueWaiting;
    readonly Gauge _databaseUp;

    public DeploymentGauges(NpgsqlDataSource dataSource, IMetricFactory factory, ILogger<DeploymentGauges> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
        _inProgress = factory.CreateGauge("rad_deployments_in_progress",
            "Deployments that have started and not ended (cloning, building, deploying, restoring); those waiting their turn are in rad_queue_waiting.");
        _queueWaiting = factory.CreateGauge("rad_queue_waiting",
            "Deployments waiting behind another deployment of the same repository and cluster.");
        _databaseUp = factory.CreateGauge("rad_status_database_up",
            "1 when the status service read the deployment gauges from PostgreSQL at the last scrape, 0 when it could not.");
    }

    public async Task RefreshAsync(CancellationToken token)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
        limit.CancelAfter(Limit);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(limit.Token);
            var (inProgress, waiting) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition("""
                SELECT (SELECT count(*) FROM deployments WHERE current_state NOT IN ('', 'Initial', 'Queued', 'Succeeded', 'Failed', 'Superseded')),
                       (SELECT coalesce(sum(cardinality(waiting)), 0) FROM deployment_queues)
                """, cancellationToken: limit.Token));
            _inProgress.Set(inProgress);
            _queueWaiting.Set(waiting);
            _databaseUp.Set(1);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException && !token.IsCancellationRequested)
        {
            _databaseUp.Set(0);
            _logger.LogWarning("Could not read the deployment gauges from PostgreSQL for /metrics: {Reason}", e.Message);
        }
    }
}
