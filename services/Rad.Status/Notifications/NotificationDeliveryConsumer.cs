using Dapper;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using Rad.Status.Api;
using Rad.Status.Persistence;

namespace Rad.Status.Notifications;

/// <summary>
/// Delivers one event of one deployment to one target, retrying with exponential backoff and recording every attempt.
/// The message is acknowledged only when the delivery has succeeded or been given up, so a crash mid-retry leaves it on
/// the queue and the next consumer resumes from the recorded attempts. Before sending, it checks under a PostgreSQL
/// advisory lock (held while it delivers) that no consumer delivers it now and that it has not succeeded already, so a
/// redelivered or duplicated request never sends a delivery twice.
/// </summary>
public sealed class NotificationDeliveryConsumer(
    NpgsqlDataSource dataSource,
    NotificationStore store,
    DeploymentQueries deployments,
    NotificationSender sender,
    IOptions<NotificationOptions> options,
    IOptions<DashboardOptions> dashboard,
    TimeProvider clock,
    ILogger<NotificationDeliveryConsumer> logger) : IConsumer<DeliverNotification>
{
    public async Task Consume(ConsumeContext<DeliverNotification> context)
    {
        var (delivery, token, settings) = (context.Message, context.CancellationToken, options.Value);
        var deliveryId = NotificationSignature.DeliveryId(delivery.NotificationId, delivery.DeploymentId, delivery.Event);
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var lockKey = BitConverter.ToInt64(deliveryId.ToByteArray(), 0);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@lockKey)", new { lockKey }, cancellationToken: token)))
        {
            // Whoever holds it keeps its own message until it is done; should it die, that message comes back.
            logger.LogInformation("Delivery {DeliveryId} ({Event} of deployment {DeploymentId}) is being made by another consumer", deliveryId, delivery.Event, delivery.DeploymentId);
            return;
        }
        try
        {
            await DeliverAsync(connection, delivery, deliveryId, settings, token);
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@lockKey)", new { lockKey });
        }
    }

    async Task DeliverAsync(NpgsqlConnection connection, DeliverNotification delivery, Guid deliveryId, NotificationOptions settings, CancellationToken token)
    {
        if (await store.FindAsync(delivery.NotificationId, token) is not { } target)
        {
            logger.LogInformation("Notification {NotificationId} was removed; nothing to deliver for deployment {DeploymentId}", delivery.NotificationId, delivery.DeploymentId);
            return;
        }
        var progress = await store.ProgressAsync(connection, delivery, token);
        if (progress.Succeeded || progress.GaveUp || progress.Attempts >= settings.Attempts)
        {
            logger.LogInformation("Delivery {DeliveryId} ({Event} of deployment {DeploymentId}) to notification {NotificationId} ({Target}) is already {Outcome}",
                deliveryId, delivery.Event, delivery.DeploymentId, target.Id, TargetDisplay.Origin(target.Url), progress.Succeeded ? "delivered" : "given up");
            return;
        }
        if (await deployments.FindAsync(delivery.DeploymentId, token) is not { } snapshot)
        {
            logger.LogWarning("Deployment {DeploymentId} is not known; nothing to deliver to notification {NotificationId}", delivery.DeploymentId, target.Id);
            return;
        }
        var body = NotificationPayload.For(target.Format, delivery.Event, DeploymentViews.From(snapshot), dashboard.Value.DeploymentLink(delivery.DeploymentId));

        for (var attempt = progress.Attempts + 1; attempt <= settings.Attempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(settings.DelayBefore(attempt), clock, token);
                if (await store.FindAsync(delivery.NotificationId, token) is null)
                {
                    logger.LogInformation("Notification {NotificationId} was removed during its delivery; stopping", delivery.NotificationId);
                    return;
                }
            }
            var at = clock.GetUtcNow();
            var outcome = await sender.SendAsync(target, deliveryId, delivery.Event, body, settings.AttemptTimeout, token);
            var gaveUp = !outcome.Succeeded && attempt == settings.Attempts;
            var recorded = await store.RecordAsync(connection, new DeliveryAttempt(delivery.NotificationId, delivery.DeploymentId, delivery.Event, attempt,
                deliveryId, at, outcome.StatusCode, outcome.Error, (int)outcome.Duration.TotalMilliseconds, outcome.Succeeded, gaveUp), token);
            if (outcome.Succeeded)
                logger.LogInformation("Delivered {Event} of deployment {DeploymentId} to notification {NotificationId} ({Target}): attempt {Attempt}, {StatusCode}, {DurationMs} ms",
                    delivery.Event, delivery.DeploymentId, target.Id, TargetDisplay.Origin(target.Url), attempt, outcome.StatusCode, (int)outcome.Duration.TotalMilliseconds);
            else
                logger.LogWarning("Attempt {Attempt} of {Attempts} to deliver {Event} of deployment {DeploymentId} to notification {NotificationId} failed: {Error}{Next}",
                    attempt, settings.Attempts, delivery.Event, delivery.DeploymentId, target.Id, outcome.Error,
                    gaveUp ? "; giving up" : $"; next in {settings.DelayBefore(attempt + 1).TotalSeconds:0.###} s");
            if (!recorded)
            {
                logger.LogInformation("Notification {NotificationId} was removed during its delivery; stopping", delivery.NotificationId);
                return;
            }
            if (outcome.Succeeded)
                return;
        }
    }
}
