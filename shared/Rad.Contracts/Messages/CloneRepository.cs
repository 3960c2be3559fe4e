namespace Rad.Contracts;

public record CloneRepository(Guid DeploymentId, string Repository, string Ref, string ConfigPath) : IDeploymentMessage;
