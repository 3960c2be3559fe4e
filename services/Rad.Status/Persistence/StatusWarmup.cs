using System.Diagnostics;
using Npgsql;

namespace Rad.Status.Persistence;

/// <summary>
/// Before the service reports healthy: the database reads of a deployment's hot path (the saga's locked load, the
/// API's lookups, the release history), each once for an id that does not exist, so the first deployment after a
/// start does not pay for opening connections and compiling those paths. Bounded; changes nothing.
/// </summary>
public sealed class StatusWarmup(NpgsqlDataSource dataSource, DeploymentQueries queries, ReleaseHistory history, ILogger<StatusWarmup> logger) : IHostedService
{
    static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        var watch = Stopwatch.StartNew();
        try
        {
            var nobody = Guid.NewGuid();
            await using var connection = await dataSource.OpenConnectionAsync(limit.Token);
            // The store ends its transaction (never committed: rolled back) and its connection when disposed.
            await using (var store = new DeploymentSagaStore(connection, await connection.BeginTransactionAsync(limit.Token)))
                await store.LoadAsync(nobody, forUpdate: true, limit.Token);
            await queries.FindAsync(nobody, limit.Token);
            await queries.LatestIdsAsync(20, limit.Token);
            await history.CurrentAsync("local", "rad-warmup", limit.Token);
            await history.PinsAsync("local", ["rad-warmup"], limit.Token);
            logger.LogInformation("Database paths warmed up in {ElapsedMs:0} ms", watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is NpgsqlException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Database warm-up ended early after {ElapsedMs:0} ms ({Reason})", watch.Elapsed.TotalMilliseconds, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
