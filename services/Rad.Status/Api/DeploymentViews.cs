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
            saga.Applications.Select(a => new ApplicationView(a.Name, a.ImageReference, a.Spec.Replicas, a.RunningReplicas, a.Spec.Port, a.Endpoint)).ToList(),
            saga.CreatedAt,
            saga.CompletedAt);
    }
}
