namespace Rad.Contracts;

/// <summary>
/// Starts a deployment that puts an application back at an earlier revision: no clone, no build, the recorded image
/// by digest and the recorded spec. Takes its turn among the deployments of <paramref name="Repository"/> on the
/// cluster like any other, and pins the application there once it succeeds. POST /api/applications/NAME/rollback
/// publishes it after checking the revision.
/// </summary>
public record RequestRollback(
    Guid DeploymentId,
    string Cluster,
    int TargetRevision,
    string Repository,
    string Commit,
    ApplicationSpec Application,
    string ImageReference,
    string RequestedBy,
    string? Reason,
    DateTimeOffset RequestedAt) : IDeploymentMessage;
