namespace Rad.Cli;

public sealed record StageView(string Name, string State, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt, string? Message);

public sealed record ApplicationView(string Name, string? Image, int Replicas, int RunningReplicas, int Port, string? Endpoint);

/// <summary>GET /api/deployments/{id}, as the status service answers it.</summary>
public sealed record DeploymentView(
    Guid Id,
    string Repository,
    string Ref,
    string? Commit,
    string Cluster,
    string State,
    string? Concurrency,
    Guid? SupersededBy,
    string? Error,
    IReadOnlyList<StageView> Stages,
    IReadOnlyList<ApplicationView> Applications,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt)
{
    public bool IsFinal => State is "Succeeded" or "Failed" or "Superseded";
}

/// <summary>One event of GET /api/deployments/{id}/events: a stage change, or the end.</summary>
public sealed record StreamEvent(string Type, long? Sequence, string? Stage, string? State, DateTimeOffset? Time, string? Message, string? Error);
