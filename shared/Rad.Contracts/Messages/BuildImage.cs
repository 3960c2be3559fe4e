namespace Rad.Contracts;

public record BuildImage(
    Guid DeploymentId,
    string Repository,
    string Commit,
    string WorkspacePath,
    string RegistryAddress,
    ApplicationSpec Application) : IDeploymentMessage;
