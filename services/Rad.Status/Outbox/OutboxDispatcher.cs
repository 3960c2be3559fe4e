using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Rad.Status.Outbox;

/// <summary>
/// Publishes outbox rows and deletes them: at once after the transaction that wrote them has committed, and from a
/// sweep (at start-up, then every second) for rows whose step could not (a kill, a broker outage). Each keeps its message
/// id, so a row published twice (a kill after the publish, before the delete) is recognised by the consumers' inbox.
/// The bus is looked up when first needed: the saga's repository, which is built with the bus, needs this dispatcher.
/// </summary>
public sealed class OutboxDispatcher(NpgsqlDataSource dataSource, IServiceProvider services, TimeProvider clock, IOptions<OutboxOptions> options,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    const int SweepBatch = 100;
    DateTimeOffset _nextPrune;

    /// <summary>Right after the commit: publishes the step's rows; a failure is logged and left to the sweep.</summary>
    public async Task DispatchAsync(IReadOnlyList<OutboxRow> rows, CancellationToken token)
    {
        if (rows.Count == 0)
            return;
        try
        {
            await PublishAsync(rows, token);
            await using var connection = await dataSource.OpenConnectionAsync(token);
            await OutboxStore.DeleteAsync(connection, null, rows.Select(r => r.Id), token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
        {
            logger.LogWarning(e, "Publishing {Count} outbox message(s) failed; the outbox sweep publishes them again", rows.Count);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // First everything a previous run left behind, whatever its age; then only rows their own step had time to publish.
        var olderThan = TimeSpan.Zero;
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        do
        {
            try
            {
                while (await SweepAsync(olderThan, stoppingToken) == SweepBatch)
                {
                }
                await PruneInboxAsync(stoppingToken);
                olderThan = options.Value.RedispatchAfter;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Outbox sweep failed; trying again next tick");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Publishes the rows written at least <paramref name="olderThan"/> ago (one batch) and returns how many there were.</summary>
    public async Task<int> SweepAsync(TimeSpan olderThan, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await using var transaction = await connection.BeginTransactionAsync(token);
        var rows = await OutboxStore.LockPendingAsync(connection, transaction, olderThan, SweepBatch, token);
        if (rows.Count == 0)
            return 0;
        var watch = Stopwatch.StartNew();
        await PublishAsync(rows, token);
        await OutboxStore.DeleteAsync(connection, transaction, rows.Select(r => r.Id), token);
        await transaction.CommitAsync(token);
        logger.LogWarning("Published {Count} outbox message(s) left unpublished ({Types}) in {ElapsedMs:0} ms",
            rows.Count, string.Join(", ", rows.Select(r => r.Message.MessageType.Name).Distinct()), watch.Elapsed.TotalMilliseconds);
        return rows.Count;
    }

    async Task PublishAsync(IReadOnlyList<OutboxRow> rows, CancellationToken token)
    {
        var bus = services.GetRequiredService<IBus>();
        foreach (var row in rows)
        {
            var message = row.Message;
            await bus.Publish(message.Message, message.MessageType, context => context.MessageId = message.MessageId, token);
        }
    }

    async Task PruneInboxAsync(CancellationToken token)
    {
        var now = clock.GetUtcNow();
        if (now < _nextPrune)
            return;
        _nextPrune = now + TimeSpan.FromMinutes(10);
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var pruned = await Inbox.PruneAsync(connection, now - options.Value.InboxRetention, token);
        if (pruned > 0)
            logger.LogInformation("Forgot {Count} handled message id(s) older than {Retention}", pruned, options.Value.InboxRetention);
    }
}
