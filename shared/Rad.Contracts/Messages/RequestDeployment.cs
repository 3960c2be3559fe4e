namespace Rad.Contracts;

/// <summary>
/// Starts a deployment. Publish it on the bus, or POST /api/deployments does it for you.
/// <paramref name="Concurrency"/> says what happens when a deployment of the same repository and cluster is still
/// running: "queue" (wait for it) or "supersede" (cancel it unless it is already rolling out); null means the
/// status service's configured default. <paramref name="Trigger"/> says what started it (api, cli, bus, webhook:HOST).
/// Applications pinned on the cluster by a rollback are skipped unless <paramref name="Force"/>, which deploys them
/// and ends their pins. <paramref name="Credentials"/>: the repository's credentials, sealed by RAD's key ring (never
/// in <paramref name="Repository"/>); a request published with credentials in the address has them taken out and sealed
/// by the status service before anything is stored or sent on. <paramref name="RefuseOlderCommit"/> (set by the webhook
/// service for a push that was not forced): the deployment fails right after its clone when the commit was committed
/// before the one running for that repository and cluster, so a push of an older commit RAD never saw cannot roll it back.
/// </summary>
public record RequestDeployment(
    Guid DeploymentId,
    string Repository,
    string Ref,
    string ConfigPath,
    string Cluster,
    DateTimeOffset RequestedAt,
    string? Concurrency = null,
    string? Trigger = null,
    bool Force = false,
    string? Credentials = null,
    bool RefuseOlderCommit = false) : IDeploymentMessage;
