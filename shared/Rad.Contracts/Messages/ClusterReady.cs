namespace Rad.Contracts;

/// <summary>
/// The cluster answers and RAD's place in it exists: on the local Swarm the network RAD's services join
/// (<paramref name="Network"/>), on Kubernetes the namespace RAD deploys into (<paramref name="Namespace"/>).
/// </summary>
public record ClusterReady(Guid DeploymentId, string Cluster, string? Network, string? Namespace, bool Created) : IDeploymentMessage;
