using System.Data;
using MassTransit;
using MassTransit.Saga;
using Npgsql;
using Rad.Status.Monitoring;
using Rad.Status.Outbox;
using Rad.Status.Saga;

namespace Rad.Status.Persistence;

/// <summary>
/// MassTransit's saga repository seam for the deployment saga: one PostgreSQL transaction per consumed message, holding
/// the saga row, its stage events, the message's id (inbox: a copy of it is skipped) and what the step published
/// (outbox: published once committed, or by the outbox sweep after a kill).
/// </summary>
public sealed class PostgresSagaRepositoryContextFactory(
    NpgsqlDataSource dataSource,
    ISagaConsumeContextFactory<DeploymentSagaStore, DeploymentState> factory,
    DeploymentMetrics metrics,
    OutboxDispatcher outbox,
    KillAfterCommit killAfterCommit,
    ILogger<PostgresSagaRepositoryContextFactory> logger)
    : ISagaRepositoryContextFactory<DeploymentState>, ILoadSagaRepositoryContextFactory<DeploymentState>, IQuerySagaRepositoryContextFactory<DeploymentState>
{
    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<DeploymentState, T>> next) where T : class
    {
        var token = context.CancellationToken;
        IReadOnlyList<OutboxRow> published;
        await using (var store = await OpenAsync(token))
        {
            if (!await store.TryReceiveAsync(context.MessageId, token))
            {
                logger.LogInformation("Skipping {MessageType} {MessageId}: the deployment saga has already handled it", typeof(T).Name, context.MessageId);
                return;
            }
            var capturing = new CapturingConsumeContext<T>(context);
            await next.Send(new PostgresSagaRepositoryContext<T>(store, capturing, factory));
            published = await store.AddToOutboxAsync(capturing.Captured, token);
            await store.CommitAsync(token);
            // Only now: a step rolled back and retried must not be counted twice.
            metrics.Committed(store.Changes);
        }
        killAfterCommit.Check(published);
        await outbox.DispatchAsync(published, token);
    }

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<DeploymentState> query, IPipe<SagaRepositoryQueryContext<DeploymentState, T>> next)
        where T : class =>
        throw new NotSupportedException("The deployment saga correlates every event by deployment id; query correlation is not used.");

    public async Task<T> Execute<T>(Func<LoadSagaRepositoryContext<DeploymentState>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        await using var store = await OpenAsync(cancellationToken);
        return await asyncMethod(new PostgresLoadSagaRepositoryContext(store, cancellationToken));
    }

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<DeploymentState>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class =>
        throw new NotSupportedException("The deployment saga is looked up by id only.");

    async Task<DeploymentSagaStore> OpenAsync(CancellationToken token)
    {
        var connection = await dataSource.OpenConnectionAsync(token);
        try
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, token);
            return new DeploymentSagaStore(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public void Probe(ProbeContext context) => context.Add("persistence", "postgresql");
}
