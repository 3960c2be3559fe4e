namespace Rad.Contracts;

public record RepositoryCloned(
    Guid DeploymentId,
    string Commit,
    string WorkspacePath,
    string RegistryAddress,
    IReadOnlyList<ApplicationSpec> Applications) : IDeploymentMessage;
