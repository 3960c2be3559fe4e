namespace Rad.Contracts;

/// <summary><paramref name="Credentials"/>: the repository's credentials sealed by RAD's key ring, which only the cloner unseals.</summary>
public record CloneRepository(Guid DeploymentId, string Repository, string Ref, string ConfigPath, string? Credentials = null) : IDeploymentMessage;
