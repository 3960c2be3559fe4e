namespace Rad.Contracts;

/// <summary>
/// <paramref name="RollbackOnFailure"/>: rad.json's "rollback_on_failure" (default true), for the whole release.
/// <paramref name="CommittedAt"/>: the commit's committer time, when the cloner could read it.
/// </summary>
public record RepositoryCloned(
    Guid DeploymentId,
    string Commit,
    string WorkspacePath,
    string RegistryAddress,
    IReadOnlyList<ApplicationSpec> Applications,
    bool RollbackOnFailure = true,
    DateTimeOffset? CommittedAt = null) : IDeploymentMessage;
