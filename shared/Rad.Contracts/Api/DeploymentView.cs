namespace Rad.Contracts;

// The HTTP API's answer for GET /api/deployments/{id}: the status service writes it, the rad CLI reads it.

public sealed record StageView(string Name, string State, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt, string? Message);

public sealed record ApplicationView(string Name, string? Image, int Replicas, int RunningReplicas, int Port, string? Endpoint);

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
    DateTimeOffset? CompletedAt);
