namespace Rad.Contracts;

/// <summary><paramref name="Changed"/> is false when the cluster already ran exactly this spec.</summary>
public record ApplicationDeployed(
    Guid DeploymentId,
    string ApplicationName,
    string Endpoint,
    int RunningReplicas,
    bool Changed) : IDeploymentMessage;
