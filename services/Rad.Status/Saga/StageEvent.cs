namespace Rad.Status.Saga;

/// <summary>One line of a deployment's history: a stage started, completed or failed.</summary>
public record StageEvent(DateTimeOffset At, string Stage, string State, string? Message);
