namespace Rad.Status.Saga;

/// <summary>One line of a deployment's history: a stage started, completed, failed or was cancelled; numbered from 1 per deployment.</summary>
public record StageEvent(DateTimeOffset At, string Stage, string State, string? Message, long Sequence = 0);
