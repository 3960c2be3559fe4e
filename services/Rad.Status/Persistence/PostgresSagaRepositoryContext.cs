using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;
using Rad.Status.Saga;

namespace Rad.Status.Persistence;

public sealed class PostgresSagaRepositoryContext<TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<DeploymentState, TMessage>
    where TMessage : class
{
    readonly DeploymentSagaStore store;
    readonly ConsumeContext<TMessage> consumeContext;
    readonly ISagaConsumeContextFactory<DeploymentSagaStore, DeploymentState> factory;

    public PostgresSagaRepositoryContext(DeploymentSagaStore store, ConsumeContext<TMessage> consumeContext,
        ISagaConsumeContextFactory<DeploymentSagaStore, DeploymentState> factory)
        : base(consumeContext, store)
    {
        this.store = store;
        this.consumeContext = consumeContext;
        this.factory = factory;
    }

    public Task<SagaConsumeContext<DeploymentState, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> context, DeploymentState instance,
        SagaConsumeContextMode mode) where T : class =>
        factory.CreateSagaConsumeContext(store, context, instance, mode);

    public Task<SagaConsumeContext<DeploymentState, TMessage>> Add(DeploymentState instance) =>
        factory.CreateSagaConsumeContext(store, consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<DeploymentState, TMessage>> Insert(DeploymentState instance)
    {
        await store.InsertAsync(instance, CancellationToken);
        return await factory.CreateSagaConsumeContext(store, consumeContext, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<DeploymentState, TMessage>> Load(Guid correlationId)
    {
        var instance = await store.LoadAsync(correlationId, forUpdate: true, CancellationToken);
        return instance is null ? null! : await factory.CreateSagaConsumeContext(store, consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public Task Save(SagaConsumeContext<DeploymentState> context) => store.InsertAsync(context.Saga, CancellationToken);

    public Task Update(SagaConsumeContext<DeploymentState> context) => store.UpdateAsync(context.Saga, CancellationToken);

    public Task Delete(SagaConsumeContext<DeploymentState> context) => store.DeleteAsync(context.Saga, CancellationToken);

    public Task Discard(SagaConsumeContext<DeploymentState> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<DeploymentState> context) => Task.CompletedTask;
}

public sealed class PostgresLoadSagaRepositoryContext(DeploymentSagaStore store, CancellationToken cancellationToken)
    : BasePipeContext(cancellationToken), LoadSagaRepositoryContext<DeploymentState>
{
    public Task<DeploymentState> Load(Guid correlationId) => store.LoadAsync(correlationId, forUpdate: false, CancellationToken)!;
}
