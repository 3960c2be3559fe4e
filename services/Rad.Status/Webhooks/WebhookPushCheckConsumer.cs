using Dapper;
using MassTransit;
using Npgsql;
using Rad.Contracts;
using Rad.Status.Queue;
using Rad.Status.Saga;

namespace Rad.Status.Webhooks;

/// <summary>
/// Answers whether a webhook's push may deploy. The rule, checked on RAD's own records before anything is cloned: a push
/// is older than what runs (<see cref="IRunningCommits"/>, the same answer the saga's commit-age check uses) when RAD
/// was already asked to deploy its commit (for that repository and cluster) before it was asked for the running one.
/// That is what replaying an old signed delivery looks like. Such a push is refused here and recorded, unless the git
/// host says it was forced (a branch moved back on purpose). A commit RAD never saw passes this check; the saga refuses
/// it after its clone if it was committed before the running one (<see cref="CommitAge"/>).
/// </summary>
public sealed class WebhookPushCheckConsumer(NpgsqlDataSource dataSource, IRunningCommits runningCommits, TimeProvider clock, ILogger<WebhookPushCheckConsumer> logger)
    : IConsumer<CheckWebhookPush>
{
    public async Task Consume(ConsumeContext<CheckWebhookPush> context)
    {
        var push = context.Message;
        var token = context.CancellationToken;
        var queueId = DeploymentQueueKey.For(push.Repository, push.Cluster).Id;
        var running = await runningCommits.RunningAsync(queueId, Guid.Empty, token);
        var first = running is null || running.Commit == push.Commit || push.Forced
            ? null
            : await runningCommits.FirstRequestedAsync(queueId, push.Commit, token);
        if (running is null || first is not { } pushedFirst || pushedFirst >= running.RequestedAt)
        {
            await context.RespondAsync(new WebhookPushChecked(null, running?.Commit));
            return;
        }
        var repository = RepositoryIdentity.WithoutUserInfo(push.Repository);
        var reason = $"commit {push.Commit} is older than commit {running.Commit}, which runs on cluster '{push.Cluster}' for {repository}: " +
                     $"RAD was asked to deploy it on {pushedFirst.UtcDateTime:u}, before the running one ({running.RequestedAt.UtcDateTime:u}), so this push would roll it back " +
                     "(a replayed delivery looks like this). A forced push deploys it; so does an operator with " +
                     $"`rad deploy {repository} --ref {push.Commit}{(push.Cluster == LocalCluster.Name ? "" : $" --cluster {push.Cluster}")}`";
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO webhook_refusals (at, host, delivery, repository, cluster, commit, running_commit, reason)
            VALUES (@at, @Host, @delivery, @repository, @Cluster, @Commit, @RunningCommit, @reason)
            """, new
        {
            at = clock.GetUtcNow(), push.Host, delivery = StoredText.CleanOrNull(push.Delivery), repository, push.Cluster, push.Commit, RunningCommit = running.Commit, reason,
        }, cancellationToken: token));
        logger.LogWarning("Refused a {Host} push of {Commit} to {Cluster} ({Repository}, delivery {Delivery}): older than the running commit {RunningCommit}",
            push.Host, push.Commit, push.Cluster, repository, push.Delivery ?? "none", running.Commit);
        await context.RespondAsync(new WebhookPushChecked(reason, running.Commit));
    }
}
