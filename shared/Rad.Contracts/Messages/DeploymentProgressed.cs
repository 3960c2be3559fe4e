namespace Rad.Contracts;

/// <summary>
/// Published after every saga step that changed a stage: the stage changes it made, numbered per deployment, and the
/// deployment's state afterwards (Queued, InProgress, Succeeded, Failed, Superseded). The live event stream is built on it.
/// </summary>
public record DeploymentProgressed(Guid DeploymentId, string State, IReadOnlyList<StageChange> Changes) : IDeploymentMessage;

/// <summary>One stage transition; <paramref name="Sequence"/> counts from 1 within a deployment, without gaps.</summary>
public record StageChange(long Sequence, DateTimeOffset At, string Stage, string State, string? Message);
