using Rad.Contracts;

namespace Rad.Status.Saga;

/// <summary>The commit the last successful deployment of a repository on a cluster deployed, and when it was committed.</summary>
public sealed record RunningCommit(Guid DeploymentId, string Commit, DateTimeOffset? CommittedAt);

/// <summary>What runs for a repository and cluster (their deployment queue), as RAD recorded it.</summary>
public interface IRunningCommits
{
    /// <summary>The newest successful deployment in queue <paramref name="queueId"/> other than <paramref name="excluding"/>, or null.</summary>
    Task<RunningCommit?> RunningAsync(Guid queueId, Guid excluding, CancellationToken token);
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
