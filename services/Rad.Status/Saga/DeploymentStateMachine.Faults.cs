using MassTransit;
using Rad.Contracts;

namespace Rad.Status.Saga;

/// <summary>A message that failed at this saga every time (see <see cref="SagaFaultConsumer"/>) fails its deployment at once.</summary>
public partial class DeploymentStateMachine
{
    public Event<DeploymentRequestFaulted> RequestFaulted { get; private set; } = null!;
    public Event<DeploymentMessageFaulted> MessageFaulted { get; private set; } = null!;

    void FailOnFaultedMessages()
    {
        Event(() => RequestFaulted, e => e.CorrelateById(c => c.Message.DeploymentId));
        Event(() => MessageFaulted, ByDeployment);

        // The request never made a deployment: it is made now, already failed, so its id shows why instead of 404 or Pending.
        Initially(
            When(RequestFaulted)
                .Then(context => Accept(context.Saga, context.Message.Request))
                .Then(context => context.Saga.Fail(FaultedRequestStage, context.Message.Reason, Now))
                .ThenAsync(PublishFinished)
                .TransitionTo(Failed));

        During(Queued, Cloning, Building,
            FailStage(MessageFaulted, context => FaultedStage(context.Saga, context.Message), context => context.Message.Reason));

        // While rolling out, the application the message was about fails like any failed deploy: the others end, then the release is restored.
        During(Deploying,
            When(MessageFaulted, context => FaultedApplication(context.Saga, context.Message) is not null)
                .Then(context => RecordDeployFailed(context.Saga, FaultedApplication(context.Saga, context.Message)!, context.Message.Reason, changed: true))
                .If(context => context.Saga.AllEnded() || !context.Saga.RollbackOnFailure, ended => EndRelease(ended)));

        During(Restoring,
            When(MessageFaulted, context => FaultedApplication(context.Saga, context.Message) is not null)
                .Then(context => RecordRestored(context.Saga, FaultedApplication(context.Saga, context.Message)!,
                    removed: context.Message.MessageType is nameof(ApplicationRemoved) or nameof(ApplicationRemovalFailed), context.Message.Reason))
                .If(context => !context.Saga.IsRestoring(), done => EndFailed(done)));
    }

    /// <summary>The stage a request that could not be taken fails: it never reached the queue.</summary>
    public const string FaultedRequestStage = "accept deployment request";

    static string FaultedStage(DeploymentState saga, DeploymentMessageFaulted faulted) =>
        faulted.Stage is { } stage && saga.Stages.Any(s => s.Name == stage)
            ? stage
            : saga.Stages.FirstOrDefault(s => s.State == StageStates.InProgress)?.Name ?? $"handle {faulted.MessageType}";

    static string? FaultedApplication(DeploymentState saga, DeploymentMessageFaulted faulted) =>
        saga.Applications.FirstOrDefault(a => a.Name == faulted.ApplicationName)?.Name
        ?? (faulted.Stage is { } stage ? DeployStageOf(saga, stage) ?? RestoreStageOf(saga, stage) : null);
}
