namespace Rad.Cli;

/// <summary>One event of GET /api/deployments/{id}/events: a stage change, or the end.</summary>
public sealed record StreamEvent(string Type, long? Sequence, string? Stage, string? State, DateTimeOffset? Time, string? Message, string? Error);
