namespace Rad.Contracts;

// The HTTP API's answer for GET /api/deployments/{id}: the status service writes it, the rad CLI reads it.

public sealed record StageView(string Name, string State, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt, string? Message);

/// <summary><paramref name="Note"/>: why this deployment left the application alone (pinned), or what a failed release did to it.</summary>
public sealed record ApplicationView(string Name, string? Image, int Replicas, int RunningReplicas, int Port, string? Endpoint, string? Note = null);

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
    DateTimeOffset? CompletedAt,
    string? Trigger = null,
    bool Force = false);
