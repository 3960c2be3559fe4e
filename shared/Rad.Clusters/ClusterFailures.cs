using Docker.DotNet;
using Rad.Kubernetes;

namespace Rad.Clusters;

/// <summary>The cluster cannot be made ready (it does not answer, refuses RAD, or failed to be created); the message says why.</summary>
public sealed class ClusterProvisioningException(string message) : Exception(message);

/// <summary>
/// An application could not be deployed or did not become ready; the message says why in the cluster's own words.
/// <paramref name="changed"/>: what served the application was already changed when it failed (a release restores it).
/// </summary>
public sealed class DeploymentFailedException(string message, bool changed = false) : Exception(message)
{
    public bool Changed { get; } = changed;
}

public static class ClusterFailures
{
    /// <summary>The cluster could not be asked: the engine or the API server refused or did not answer, or its kubeconfig is unusable.</summary>
    public static bool CouldNotAsk(Exception e) => e is DockerApiException or KubernetesApiException or KubeconfigException or HttpRequestException;
}
