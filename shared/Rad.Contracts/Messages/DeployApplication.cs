namespace Rad.Contracts;

/// <summary>
/// Deploys one application at <paramref name="ImageReference"/> (image@digest), into the <paramref name="Network"/> of
/// the local Swarm or the <paramref name="Namespace"/> of a Kubernetes cluster, as ClusterReady named them.
/// </summary>
public record DeployApplication(
    Guid DeploymentId,
    string Cluster,
    string? Network,
    string? Namespace,
    string Repository,
    string Commit,
    ApplicationSpec Application,
    string ImageReference) : IDeploymentMessage;
