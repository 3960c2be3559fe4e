namespace Rad.Contracts;

/// <summary>
/// One step of an application's rollout strategy started, completed or failed: "validate", "switch", "shift traffic
/// 10%", ... shown as the stage "STEP[APPLICATION]". Each report also proves the deployer is alive, so it pushes the
/// deploy stage's deadline on (a canary's pauses add up). <paramref name="State"/> is a <see cref="StageStates"/> value.
/// </summary>
public record ApplicationRolloutStepped(Guid DeploymentId, string ApplicationName, string Step, string State, string? Message) : IDeploymentMessage;
