using Rad.Contracts;
using Rad.Status.Persistence;

namespace Rad.Status.Api;

public static class DeploymentViews
{
    public static DeploymentView From(DeploymentSnapshot snapshot)
    {
        var saga = snapshot.Saga;
        return new DeploymentView(
            saga.CorrelationId,
            Redaction.Credentials(saga.Repository),
            saga.Ref,
            saga.Commit,
            saga.Cluster,
            snapshot.Pending ? DeploymentStates.Pending : Saga.PublicState.Of(saga.CurrentState),
            saga.Concurrency,
            saga.SupersededBy,
            saga.Error,
            saga.Stages.Select(s => new StageView(s.Name, s.State, s.StartedAt, s.CompletedAt, s.Message)).ToList(),
            saga.Applications.Select(a => new ApplicationView(a.Name, a.ImageReference, a.Spec.Replicas, a.RunningReplicas, a.Spec.Port, a.Endpoint, Note(a))).ToList(),
            saga.CreatedAt,
            saga.CompletedAt,
            saga.Trigger.Length == 0 ? null : saga.Trigger,
            saga.Force);
    }

    static string? Note(Saga.ApplicationRecord application) => application.Skipped ?? application.Restore switch
    {
        StageStates.Completed when application.Previous is { } previous => $"restored to revision {previous.Revision} after the release failed",
        StageStates.Completed => "removed after the release failed",
        StageStates.Failed => "NOT restored after the release failed (see its stage)",
        _ => null,
    };
}
