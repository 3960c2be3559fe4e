namespace Rad.Contracts;

public record DeployApplication(
    Guid DeploymentId,
    string Cluster,
    string Network,
    string Repository,
    string Commit,
    ApplicationSpec Application,
    string ImageReference) : IDeploymentMessage;
