namespace Rad.Contracts;

/// <summary>What runs on a cluster now, per application RAD manages there; <paramref name="Problem"/> when the cluster could not be asked.</summary>
public record ApplicationsDescribed(string Cluster, IReadOnlyList<RunningApplication> Applications, string? Problem = null);

/// <summary>Replicas wanted, running, and passing the health check; the image (by digest) that takes the traffic.</summary>
public record RunningApplication(string Name, int Desired, int Running, int Healthy, string? Image, string? Endpoint);
