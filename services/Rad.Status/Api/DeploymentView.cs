using Rad.Contracts;
using Rad.Status.Persistence;
using Rad.Status.Saga;

namespace Rad.Status.Api;

public sealed record StageView(string Name, string State, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt, string? Message);

public sealed record ApplicationView(string Name, string? Image, int Replicas, int RunningReplicas, int Port, string? Endpoint);

public sealed record DeploymentView(
    Guid Id,
    string Repository,
    string Ref,
    string? Commit,
    string Cluster,
    string State,
    string Concurrency,
    Guid? SupersededBy,
    string? Error,
    IReadOnlyList<StageView> Stages,
    IReadOnlyList<ApplicationView> Applications,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt)
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
            PublicState(snapshot),
            saga.Concurrency,
            saga.SupersededBy,
            saga.Error,
            saga.Stages.Select(s => new StageView(s.Name, s.State, s.StartedAt, s.CompletedAt, s.Message)).ToList(),
            saga.Applications.Select(a => new ApplicationView(a.Name, a.ImageReference, a.Spec.Replicas, a.RunningReplicas, a.Spec.Port, a.Endpoint)).ToList(),
            saga.CreatedAt,
            saga.CompletedAt);
    }

    static string PublicState(DeploymentSnapshot snapshot) =>
        snapshot.Pending ? Saga.PublicState.Pending : Saga.PublicState.Of(snapshot.Saga.CurrentState);
}
