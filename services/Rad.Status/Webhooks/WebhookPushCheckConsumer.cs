using Dapper;
using MassTransit;
using Npgsql;
using Rad.Contracts;
using Rad.Status.Queue;

namespace Rad.Status.Webhooks;

/// <summary>
/// Answers whether a webhook's push may deploy. The rule, checked on RAD's own records: a push is older than what runs
/// when RAD was already asked to deploy its commit (for that repository and cluster) before the deployment whose commit
/// runs now succeeded. That is what replaying an old signed delivery looks like. Such a push is refused and recorded,
/// unless the git host says it was forced (a branch moved back on purpose). A commit RAD never saw is not refused:
/// telling whether it is an ancestor of the running one would need its history, which RAD does not fetch.
/// </summary>
public sealed class WebhookPushCheckConsumer(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<WebhookPushCheckConsumer> logger)
    : IConsumer<CheckWebhookPush>
{
    public async Task Consume(ConsumeContext<CheckWebhookPush> context)
    {
        var push = context.Message;
        var token = context.CancellationToken;
        var queueId = DeploymentQueueKey.For(push.Repository, push.Cluster).Id.ToString();
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var seen = await connection.QueryFirstOrDefaultAsync<SeenRow>(new CommandDefinition("""
            WITH same AS (
                SELECT COALESCE(data->>'commit', data->>'ref') AS commit, created_at, current_state
                FROM deployments WHERE data->>'queueId' = @queueId),
            running AS (SELECT commit, created_at FROM same WHERE current_state = 'Succeeded' ORDER BY created_at DESC LIMIT 1)
            SELECT running.commit AS RunningCommit, running.created_at AS RunningSince,
                   (SELECT min(created_at) FROM same WHERE commit = @Commit) AS PushedFirstAt
            FROM running
            """, new { queueId, push.Commit }, cancellationToken: token));
        if (seen is null || seen.RunningCommit == push.Commit || seen.PushedFirstAt is not { } first || first >= seen.RunningSince || push.Forced)
        {
            await context.RespondAsync(new WebhookPushChecked(null, seen?.RunningCommit));
            return;
        }
        var repository = RepositoryIdentity.WithoutUserInfo(push.Repository);
        var reason = $"commit {push.Commit} is older than commit {seen.RunningCommit}, which runs on cluster '{push.Cluster}' for {repository}: " +
                     $"RAD was asked to deploy it on {Utc(first):u}, before the running one ({Utc(seen.RunningSince):u}), so this push would roll it back " +
                     "(a replayed delivery looks like this). A forced push deploys it; so does an operator with " +
                     $"`rad deploy {repository} --ref {push.Commit}{(push.Cluster == LocalCluster.Name ? "" : $" --cluster {push.Cluster}")}`";
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO webhook_refusals (at, host, delivery, repository, cluster, commit, running_commit, reason)
            VALUES (@at, @Host, @delivery, @repository, @Cluster, @Commit, @RunningCommit, @reason)
            """, new
        {
            at = clock.GetUtcNow(), push.Host, delivery = StoredText.CleanOrNull(push.Delivery), repository, push.Cluster, push.Commit, seen.RunningCommit, reason,
        }, cancellationToken: token));
        logger.LogWarning("Refused a {Host} push of {Commit} to {Cluster} ({Repository}, delivery {Delivery}): older than the running commit {RunningCommit}",
            push.Host, push.Commit, push.Cluster, repository, push.Delivery ?? "none", seen.RunningCommit);
        await context.RespondAsync(new WebhookPushChecked(reason, seen.RunningCommit));
    }

    static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    sealed class SeenRow
    {
        public string RunningCommit { get; init; } = "";
        public DateTime RunningSince { get; init; }
        public DateTime? PushedFirstAt { get; init; }
    }
}
