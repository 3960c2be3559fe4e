using Dapper;
using MassTransit;
using Npgsql;
using Rad.Contracts;
using Rad.Status.Outbox;
using Rad.Status.Saga;

namespace Rad.Status.Queue;

/// <summary>
/// One deployment at a time per repository and cluster. The queue's row is locked for the length of one message, so
/// two requests arriving together are ordered, not raced. Every answer is re-derived from the row, so a redelivered
/// message gets the same answer again and changes nothing. The answers are written to the outbox with the queue's row
/// and published once committed; a copy of a message already handled (same id) is skipped.
/// </summary>
public sealed class DeploymentQueueConsumer(NpgsqlDataSource dataSource, OutboxDispatcher outbox, ILogger<DeploymentQueueConsumer> logger)
    : IConsumer<EnterDeploymentQueue>, IConsumer<LeaveDeploymentQueue>
{
    public const string InboxConsumer = "deployment-queue";

    public async Task Consume(ConsumeContext<EnterDeploymentQueue> context)
    {
        var message = context.Message;
        var id = message.DeploymentId;
        await using var connection = await dataSource.OpenConnectionAsync(context.CancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(context.CancellationToken);
        if (!await Inbox.TryReceiveAsync(connection, transaction, InboxConsumer, context.MessageId, context.CancellationToken))
            return;
        var queue = await LockAsync(connection, transaction, message.QueueId, message.QueueKey, context.CancellationToken);
        var running = queue.Running;
        var waiting = queue.Waiting.ToList();
        var answers = new List<object>();

        if (running is { } holder && holder != id && await HasEndedAsync(connection, transaction, holder, context.CancellationToken))
        {
            // Its LeaveDeploymentQueue was lost: the queue must not stay blocked. The next in line goes first.
            logger.LogWarning("Deployment {Running} ended without leaving queue {QueueKey}; its turn is over", holder, message.QueueKey);
            running = waiting.Count > 0 ? waiting[0] : null;
            if (running is { } promoted)
            {
                waiting.RemoveAt(0);
                if (promoted != id)
                    answers.Add(new DeploymentMayStart(promoted));
            }
        }

        if (running is null || running == id)
        {
            running = id;
            waiting.Remove(id);
            answers.Add(new DeploymentMayStart(id));
        }
        else if (waiting.Contains(id))
            answers.Add(new DeploymentWaiting(id, running.Value, waiting.IndexOf(id) + 1));
        else
        {
            // Entries arrive in the order their sagas happened to publish them, which for requests a few milliseconds
            // apart may not be the order they were made in: the queue follows the requests' own times.
            var requested = await RequestedAtAsync(connection, transaction, [id, running.Value, .. waiting], context.CancellationToken);
            var known = requested.TryGetValue(id, out var mine);
            bool MadeAfter(Guid other) => known && requested.TryGetValue(other, out var at) && at > mine;
            if (message.Concurrency == ConcurrencyOptions.Supersede
                && waiting.Prepend(running.Value).Where(MadeAfter).OrderBy(other => requested[other]).Select(other => (Guid?)other).LastOrDefault() is { } newer)
            {
                // The newest request wins: this one, made before one already in the queue, gives way to it.
                logger.LogInformation("Deployment {DeploymentId} was requested before {Newer} in queue {QueueKey}, which supersedes it", id, newer, message.QueueKey);
                answers.Add(new SupersedeDeployment(id, newer));
            }
            else if (message.Concurrency == ConcurrencyOptions.Supersede)
            {
                // Everything waiting and the running deployment give way; the running one stops only if it has not started rolling out.
                answers.AddRange(waiting.Select(older => new SupersedeDeployment(older, id)));
                answers.Add(new SupersedeDeployment(running.Value, id));
                waiting.Clear();
                waiting.Add(id);
                answers.Add(new DeploymentWaiting(id, running.Value, 1));
                logger.LogInformation("Deployment {DeploymentId} waits behind {Running} in queue {QueueKey}", id, running, message.QueueKey);
            }
            else
            {
                var place = waiting.FindIndex(MadeAfter) is var after and >= 0 ? after : waiting.Count;
                waiting.Insert(place, id);
                // It and those it went ahead of hear their place.
                answers.AddRange(waiting.Select((w, i) => new DeploymentWaiting(w, running.Value, i + 1)).Skip(place));
                logger.LogInformation("Deployment {DeploymentId} waits behind {Running} in queue {QueueKey}, number {Position} in line",
                    id, running, message.QueueKey, place + 1);
            }
        }

        await SaveAsync(connection, transaction, message.QueueId, running, waiting, context.CancellationToken);
        await AnswerAsync(connection, transaction, answers, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<LeaveDeploymentQueue> context)
    {
        var id = context.Message.DeploymentId;
        await using var connection = await dataSource.OpenConnectionAsync(context.CancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(context.CancellationToken);
        if (!await Inbox.TryReceiveAsync(connection, transaction, InboxConsumer, context.MessageId, context.CancellationToken))
            return;
        var queue = await connection.QuerySingleOrDefaultAsync<QueueRow>(new CommandDefinition(
            "SELECT running, waiting FROM deployment_queues WHERE queue_id = @QueueId FOR UPDATE",
            new { context.Message.QueueId }, transaction, cancellationToken: context.CancellationToken));
        if (queue is null)
        {
            await transaction.CommitAsync(context.CancellationToken);
            return;
        }

        var waiting = queue.Waiting.Where(w => w != id).ToList();
        var running = queue.Running;
        if (running == id || running is null)
        {
            running = waiting.Count > 0 ? waiting[0] : null;
            if (running is not null)
                waiting.RemoveAt(0);
        }
        else if (!queue.Waiting.Contains(id))
        {
            // The queue moved on without this message (a copy of it came first, or an entry found this one ended): its
            // announcements may have been lost with a crash, so the running deployment and those waiting hear them again.
            logger.LogInformation("Deployment {DeploymentId} left queue {QueueId}, which had already moved on to {Running}; announcing it again",
                id, context.Message.QueueId, running);
        }
        await SaveAsync(connection, transaction, context.Message.QueueId, running, waiting, context.CancellationToken);
        var answers = new List<object>();
        if (running is { } started)
        {
            answers.Add(new DeploymentMayStart(started));
            answers.AddRange(waiting.Select((w, i) => new DeploymentWaiting(w, started, i + 1)));
        }
        await AnswerAsync(connection, transaction, answers, context.CancellationToken);
    }

    /// <summary>Writes the answers to the outbox beside the queue's row, commits both, then publishes them.</summary>
    async Task AnswerAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<object> answers, CancellationToken token)
    {
        var rows = await OutboxStore.AddAsync(connection, transaction, answers.Select(a => new OutgoingMessage(NewId.NextGuid(), a.GetType(), a)).ToList(), token);
        await transaction.CommitAsync(token);
        await outbox.DispatchAsync(rows, token);
    }

    /// <summary>When each deployment was requested: its saga's creation time, else its recorded request's; absent when neither is known.</summary>
    static async Task<Dictionary<Guid, DateTime>> RequestedAtAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] ids, CancellationToken token) =>
        (await connection.QueryAsync<(Guid Id, DateTime At)>(new CommandDefinition("""
            SELECT i.id, COALESCE(d.created_at, r.requested_at)
            FROM unnest(@ids) AS i(id)
            LEFT JOIN deployments d ON d.correlation_id = i.id
            LEFT JOIN deployment_requests r ON r.id = i.id
            WHERE COALESCE(d.created_at, r.requested_at) IS NOT NULL
            """, new { ids }, transaction, cancellationToken: token))).ToDictionary(x => x.Id, x => x.At);

    /// <summary>True when the deployment's saga has reached a final state, or it never existed as a saga or a request.</summary>
    static async Task<bool> HasEndedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid deployment, CancellationToken token) =>
        await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT NOT EXISTS (SELECT 1 FROM deployments WHERE correlation_id = @deployment AND current_state NOT IN ('Succeeded', 'Failed', 'Superseded'))
               AND NOT EXISTS (SELECT 1 FROM deployment_requests r WHERE r.id = @deployment
                               AND NOT EXISTS (SELECT 1 FROM deployments d WHERE d.correlation_id = r.id))
            """, new { deployment }, transaction, cancellationToken: token));

    static async Task<QueueRow> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid queueId, string key, CancellationToken token)
    {
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO deployment_queues (queue_id, queue_key) VALUES (@queueId, @key) ON CONFLICT (queue_id) DO NOTHING
            """, new { queueId, key }, transaction, cancellationToken: token));
        return await connection.QuerySingleAsync<QueueRow>(new CommandDefinition(
            "SELECT running, waiting FROM deployment_queues WHERE queue_id = @queueId FOR UPDATE",
            new { queueId }, transaction, cancellationToken: token));
    }

    static Task SaveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid queueId, Guid? running, IReadOnlyList<Guid> waiting,
        CancellationToken token) =>
        connection.ExecuteAsync(new CommandDefinition("""
            UPDATE deployment_queues SET running = @running, waiting = @waiting, updated_at = now() WHERE queue_id = @queueId
            """, new { queueId, running, waiting = waiting.ToArray() }, transaction, cancellationToken: token));

    sealed class QueueRow
    {
        public Guid? Running { get; init; }
        public Guid[] Waiting { get; init; } = [];
    }
}
