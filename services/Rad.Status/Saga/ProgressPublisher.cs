using MassTransit;
using Rad.Contracts;

namespace Rad.Status.Saga;

/// <summary>
/// After every step of the deployment saga that changed a stage, publishes those changes (DeploymentProgressed).
/// It runs inside the saga's consume context, so the message leaves through the outbox only after the saga row and its
/// events are committed: a listener that reads the event log after receiving it finds everything it announces.
/// </summary>
public sealed class ProgressPublisher : IEventObserver<DeploymentState>
{
    // NewEvents holds the changes of the message being handled; a repository that keeps instances in memory would carry
    // the previous message's changes over, so the list starts empty for every message.
    public Task PreExecute(BehaviorContext<DeploymentState> context) => Reset(context.Saga);

    public Task PreExecute<T>(BehaviorContext<DeploymentState, T> context) where T : class => Reset(context.Saga);

    static Task Reset(DeploymentState saga)
    {
        saga.NewEvents.Clear();
        saga.NewRevisions.Clear();
        saga.NewPinChanges.Clear();
        return Task.CompletedTask;
    }

    public Task PostExecute(BehaviorContext<DeploymentState> context) => Publish(context);

    public Task PostExecute<T>(BehaviorContext<DeploymentState, T> context) where T : class => Publish(context);

    public Task ExecuteFault(BehaviorContext<DeploymentState> context, Exception exception) => Task.CompletedTask;

    public Task ExecuteFault<T>(BehaviorContext<DeploymentState, T> context, Exception exception) where T : class => Task.CompletedTask;

    static Task Publish(BehaviorContext<DeploymentState> context)
    {
        var saga = context.Saga;
        if (saga.NewEvents.Count == 0)
            return Task.CompletedTask;
        var changes = saga.NewEvents.Select(e => new StageChange(e.Sequence, e.At, e.Stage, e.State, e.Message)).ToList();
        return context.Publish(new DeploymentProgressed(saga.CorrelationId, PublicState.Of(saga.CurrentState), changes));
    }
}
