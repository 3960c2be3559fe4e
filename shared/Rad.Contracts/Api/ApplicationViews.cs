namespace Rad.Contracts;

// The HTTP API's answers about applications: what runs where (GET /api/applications) and each one's history
// (GET /api/applications/NAME/revisions). The status service writes them, the rad CLI reads them.

/// <summary>Replicas wanted, running, and passing the health check now; running and healthy are null when the cluster could not be asked.</summary>
public sealed record ReplicaCounts(int Desired, int? Running, int? Healthy);

public sealed record PinView(int Revision, string PinnedBy, string? Reason, DateTimeOffset PinnedAt);

public sealed record ApplicationStatusView(
    string Name,
    string Cluster,
    int Revision,
    string Commit,
    string Image,
    ReplicaCounts Replicas,
    string? Endpoint,
    string Strategy,
    DateTimeOffset DeployedAt,
    Guid DeploymentId,
    PinView? Pin,
    string? Problem);

public sealed record RevisionView(
    int Revision,
    string Outcome,
    string Commit,
    string Image,
    string Strategy,
    int Replicas,
    int Port,
    Guid DeploymentId,
    DateTimeOffset CreatedAt,
    string? Note,
    bool Current);
