namespace Rad.Contracts;

/// <summary><paramref name="Reused"/> is true when the registry already held this commit's image and nothing was built.</summary>
public record ImageBuilt(Guid DeploymentId, string ApplicationName, string Image, string Digest, bool Reused) : IDeploymentMessage;
