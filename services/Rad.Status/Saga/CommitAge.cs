using Rad.Contracts;

namespace Rad.Status.Saga;

/// <summary>
/// The commit the last successful deployment of a repository on a cluster deployed, when it was committed (unknown for
/// deployments recorded before RAD kept it) and when RAD was asked for that deployment.
/// </summary>
public sealed record RunningCommit(Guid DeploymentId, string Commit, DateTimeOffset? CommittedAt, DateTimeOffset RequestedAt);

/// <summary>
/// What runs for a repository and cluster (their deployment queue), as RAD recorded it: the one answer both the saga's
/// commit-age check and the webhook's push check use.
/// </summary>
public interface IRunningCommits
{
    /// <summary>
    /// The successful deployment in queue <paramref name="queueId"/> that completed last, other than
    /// <paramref name="excluding"/>, or null.
    /// </summary>
    Task<RunningCommit?> RunningAsync(Guid queueId, Guid excluding, CancellationToken token);

    /// <summary>When RAD was first asked to deploy <paramref name="commit"/> in queue <paramref name="queueId"/>, or null if never.</summary>
    Task<DateTimeOffset?> FirstRequestedAsync(Guid queueId, string commit, CancellationToken token);
}

public static class CommitAge
{
    public const string Stage = "check commit age";

    /// <summary>
    /// Why a push of <paramref name="commit"/> must not deploy, or null when it may: it may unless the running commit is
    /// another one and was committed later (committer times; unknown on either side means no refusal).
    /// </summary>
    public static string? Refusal(string commit, DateTimeOffset committedAt, RunningCommit? running, string cluster, string repository)
    {
        if (running is not { CommittedAt: { } runningAt } || running.Commit == commit || committedAt >= runningAt)
            return null;
        var shown = RepositoryIdentity.WithoutUserInfo(repository);
        return $"commit {commit} (committed {committedAt.ToUniversalTime():u}) is older than commit {running.Commit} " +
               $"(committed {runningAt.ToUniversalTime():u}), which runs on cluster '{cluster}' for {shown} (deployment {running.DeploymentId}): " +
               "this push would roll it back, so nothing was built or changed. A forced push deploys it; so does an operator with " +
               $"`rad deploy {shown} --ref {commit}{(cluster == LocalCluster.Name ? "" : $" --cluster {cluster}")}`";
    }
}
