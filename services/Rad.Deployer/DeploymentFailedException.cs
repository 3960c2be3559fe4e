namespace Rad.Deployer;

public sealed class DeploymentFailedException(string message) : Exception(message);
