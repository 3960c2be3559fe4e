using System.Diagnostics;
using Npgsql;
using Rad.Contracts;
using Rad.Status.Saga;

namespace Rad.Status.Persistence;

/// <summary>
/// Before the service reports healthy: the database reads of a deployment's hot path (the saga's locked load, the
/// API's lookups, the release history), each once for an id that does not exist, and the saga's writes (inbox, insert,
/// load, update, its events) of a made-up deployment in a transaction that is rolled back, so the first deployment
/// after a start does not pay for opening connections, serializing the saga the first time and compiling those paths.
/// Bounded; changes nothing.
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
            {
                await store.LoadAsync(nobody, forUpdate: true, limit.Token);
                await store.TryReceiveAsync(Guid.NewGuid(), limit.Token);
                await store.InsertAsync(MadeUp(nobody), limit.Token);
                await store.UpdateAsync((await store.LoadAsync(nobody, forUpdate: true, limit.Token))!, limit.Token);
            }
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

    /// <summary>A deployment as its turn leaves it: cloning, its clone stage open, one application as a rad.json names it.</summary>
    static DeploymentState MadeUp(Guid id)
    {
        var now = DateTimeOffset.UtcNow;
        var saga = new DeploymentState
        {
            CorrelationId = id, CurrentState = "Cloning", Repository = "git://127.0.0.1/rad-warmup.git", Ref = "main", ConfigPath = "rad.json",
            Cluster = "local", Concurrency = "queue", CreatedAt = now, Trigger = "warm-up",
            Applications = [new ApplicationRecord { Name = "rad-warmup", Spec = new ApplicationSpec("rad-warmup", "Dockerfile", ".", 1, 30000, 30000) }],
        };
        saga.StartStage(StageNames.Clone, now, TimeSpan.FromMinutes(1), "warm-up");
        return saga;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
