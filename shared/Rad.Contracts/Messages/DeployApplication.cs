namespace Rad.Contracts;

/// <summary>
/// Deploys one application at <paramref name="ImageReference"/> (image@digest), into the <paramref name="Network"/> of
/// the local Swarm or the <paramref name="Namespace"/> of a Kubernetes cluster, as ClusterReady named them.
/// <paramref name="Purpose"/> says why (<see cref="DeployPurposes"/>); for a rollback or a restore the image is an
/// earlier revision's, and the deployer first makes sure the registry still has it.
/// </summary>
public record DeployApplication(
    Guid DeploymentId,
    string Cluster,
    string? Network,
    string? Namespace,
    string Repository,
    string Commit,
    ApplicationSpec Application,
    string ImageReference,
    string Purpose = DeployPurposes.Deploy) : IDeploymentMessage;

public static class DeployPurposes
{
    /// <summary>A new commit (or the same one again).</summary>
    public const string Deploy = "deploy";

    /// <summary>Back to the revision a user named (rad rollback).</summary>
    public const string Rollback = "rollback";

    /// <summary>Back to the previous revision because another application of the same release failed.</summary>
    public const string Restore = "restore";
}
