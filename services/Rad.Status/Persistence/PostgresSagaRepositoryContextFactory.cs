using System.Data;
using MassTransit;
using MassTransit.Saga;
using Npgsql;
using Rad.Status.Monitoring;
using Rad.Status.Saga;

namespace Rad.Status.Persistence;

/// <summary>MassTransit's saga repository seam for the deployment saga: one PostgreSQL transaction per consumed message.</summary>
public sealed class PostgresSagaRepositoryContextFactory(
    NpgsqlDataSource dataSource,
    ISagaConsumeContextFactory<DeploymentSagaStore, DeploymentState> factory,
    DeploymentMetrics metrics)
    : ISagaRepositoryContextFactory<DeploymentState>, ILoadSagaRepositoryContextFactory<DeploymentState>, IQuerySagaRepositoryContextFactory<DeploymentState>
{
    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<DeploymentState, T>> next) where T : class
    {
        await using var store = await OpenAsync(context.CancellationToken);
        await next.Send(new PostgresSagaRepositoryContext<T>(store, context, factory));
        await store.CommitAsync(context.CancellationToken);
        // Only now: a step rolled back and retried must not be counted twice.
        metrics.Committed(store.Changes);
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
