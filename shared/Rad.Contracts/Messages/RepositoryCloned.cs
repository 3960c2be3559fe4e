namespace Rad.Contracts;

/// <summary><paramref name="RollbackOnFailure"/>: rad.json's "rollback_on_failure" (default true), for the whole release.</summary>
public record RepositoryCloned(
    Guid DeploymentId,
    string Commit,
    string WorkspacePath,
    string RegistryAddress,
    IReadOnlyList<ApplicationSpec> Applications,
    bool RollbackOnFailure = true) : IDeploymentMessage;
