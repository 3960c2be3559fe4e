using Dapper;
using MassTransit;
using Npgsql;
using Rad.Contracts;
using Rad.Status.Saga;

namespace Rad.Status.Queue;

/// <summary>
/// One deployment at a time per repository and cluster. The queue's row is locked for the length of one message, so
/// two requests arriving together are ordered, not raced. Every answer is re-derived from the row, so a redelivered
/// message gets the same answer again and changes nothing.
/// </summary>
public sealed class DeploymentQueueConsumer(NpgsqlDataSource dataSource, ILogger<DeploymentQueueConsumer> logger)
    : IConsumer<EnterDeploymentQueue>, IConsumer<LeaveDeploymentQueue>
{
    public async Task Consume(ConsumeContext<EnterDeploymentQueue> context)
    {
        var message = context.Message;
        var id = message.DeploymentId;
        await using var connection = await dataSource.OpenConnectionAsync(context.CancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(context.CancellationToken);
        var queue = await LockAsync(connection, transaction, message.QueueId, message.QueueKey, context.CancellationToken);

        if (queue.Running is null || queue.Running == id)
        {
            await SaveAsync(connection, transaction, message.QueueId, id, queue.Waiting, context.CancellationToken);
            await transaction.CommitAsync(context.CancellationToken);
            await context.Publish(new DeploymentMayStart(id));
            return;
        }

        var waiting = queue.Waiting.ToList();
        if (!waiting.Contains(id))
        {
            if (message.Concurrency == ConcurrencyOptions.Supersede)
            {
                // Everything waiting and the running deployment give way; the running one stops only if it has not started rolling out.
                foreach (var older in waiting)
                    await context.Publish(new SupersedeDeployment(older, id));
                await context.Publish(new SupersedeDeployment(queue.Running.Value, id));
                waiting.Clear();
            }
            waiting.Add(id);
            await SaveAsync(connection, transaction, message.QueueId, queue.Running, waiting, context.CancellationToken);
        }
        await transaction.CommitAsync(context.CancellationToken);
        logger.LogInformation("Deployment {DeploymentId} waits behind {Running} in queue {QueueKey}", id, queue.Running, message.QueueKey);
        await context.Publish(new DeploymentWaiting(id, queue.Running.Value, waiting.IndexOf(id) + 1));
    }

    public async Task Consume(ConsumeContext<LeaveDeploymentQueue> context)
    {
        var id = context.Message.DeploymentId;
        await using var connection = await dataSource.OpenConnectionAsync(context.CancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(context.CancellationToken);
        var queue = await connection.QuerySingleOrDefaultAsync<QueueRow>(new CommandDefinition(
            "SELECT running, waiting FROM deployment_queues WHERE queue_id = @QueueId FOR UPDATE",
            new { context.Message.QueueId }, transaction, cancellationToken: context.CancellationToken));
        if (queue is null)
            return;

        Guid? next = null;
        var waiting = queue.Waiting.Where(w => w != id).ToList();
        var running = queue.Running;
        if (running == id)
        {
            next = waiting.Count > 0 ? waiting[0] : null;
            running = next;
            if (next is not null)
                waiting.RemoveAt(0);
        }
        await SaveAsync(connection, transaction, context.Message.QueueId, running, waiting, context.CancellationToken);
        await transaction.CommitAsync(context.CancellationToken);
        if (next is { } started)
        {
            await context.Publish(new DeploymentMayStart(started));
            for (var i = 0; i < waiting.Count; i++)
                await context.Publish(new DeploymentWaiting(waiting[i], started, i + 1));
        }
    }

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
