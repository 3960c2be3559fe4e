using Dapper;
using Npgsql;
using Rad.Status.Persistence;

namespace Rad.Status.Notifications;

/// <summary>The notification targets and their delivery attempts in PostgreSQL.</summary>
public sealed class NotificationStore(NpgsqlDataSource dataSource)
{
    const string TargetColumns = "id, url, events, secret, format, created_at AS CreatedAt";

    public async Task AddAsync(NotificationTarget target, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO notifications (id, url, events, secret, format, created_at)
            VALUES (@Id, @Url, @Events, @Secret, @Format, @CreatedAt)
            """, new { target.Id, target.Url, Events = target.Events.ToArray(), target.Secret, target.Format, target.CreatedAt }, cancellationToken: token));
    }

    public async Task<IReadOnlyList<NotificationTarget>> ListAsync(CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var rows = await connection.QueryAsync<TargetRow>(new CommandDefinition($"SELECT {TargetColumns} FROM notifications ORDER BY created_at, id",
            cancellationToken: token));
        return rows.Select(r => r.ToTarget()).ToList();
    }

    public async Task<NotificationTarget?> FindAsync(Guid id, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var row = await connection.QuerySingleOrDefaultAsync<TargetRow>(new CommandDefinition($"SELECT {TargetColumns} FROM notifications WHERE id = @id",
            new { id }, cancellationToken: token));
        return row?.ToTarget();
    }

    /// <summary>The targets that asked for <paramref name="event"/>.</summary>
    public async Task<IReadOnlyList<NotificationTarget>> SubscribedToAsync(string @event, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var rows = await connection.QueryAsync<TargetRow>(new CommandDefinition($"SELECT {TargetColumns} FROM notifications WHERE @event = ANY(events)",
            new { @event }, cancellationToken: token));
        return rows.Select(r => r.ToTarget()).ToList();
    }

    /// <summary>Removes the target with all its recorded attempts; false when there was none.</summary>
    public async Task<bool> RemoveAsync(Guid id, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM notifications WHERE id = @id", new { id }, cancellationToken: token)) > 0;
    }

    /// <summary>Every attempt to this target, newest first.</summary>
    public async Task<IReadOnlyList<DeliveryAttempt>> AttemptsAsync(Guid notificationId, int limit, CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        var rows = await connection.QueryAsync<AttemptRow>(new CommandDefinition("""
            SELECT notification_id AS NotificationId, deployment_id AS DeploymentId, event, attempt, delivery_id AS DeliveryId, at,
                   status_code AS StatusCode, error, duration_ms AS DurationMs, succeeded, gave_up AS GaveUp
            FROM notification_attempts
            WHERE notification_id = @notificationId
            ORDER BY at DESC, attempt DESC
            LIMIT @limit
            """, new { notificationId, limit }, cancellationToken: token));
        return rows.Select(r => r.ToAttempt()).ToList();
    }

    /// <summary>Where one delivery stands: how many attempts were made, and whether one succeeded or it was given up.</summary>
    public async Task<DeliveryProgress> ProgressAsync(NpgsqlConnection connection, DeliverNotification delivery, CancellationToken token) =>
        await connection.QuerySingleAsync<DeliveryProgress>(new CommandDefinition("""
            SELECT count(*)::int AS Attempts, coalesce(bool_or(succeeded), false) AS Succeeded, coalesce(bool_or(gave_up), false) AS GaveUp
            FROM notification_attempts
            WHERE notification_id = @NotificationId AND deployment_id = @DeploymentId AND event = @Event
            """, delivery, cancellationToken: token));

    /// <summary>Records an attempt; false when the target was removed meanwhile (nothing recorded, nothing more to send).</summary>
    public async Task<bool> RecordAsync(NpgsqlConnection connection, DeliveryAttempt attempt, CancellationToken token) =>
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO notification_attempts (notification_id, deployment_id, event, attempt, delivery_id, at, status_code, error, duration_ms, succeeded, gave_up)
            SELECT @NotificationId, @DeploymentId, @Event, @Attempt, @DeliveryId, @At, @StatusCode, @Error, @DurationMs, @Succeeded, @GaveUp
            WHERE EXISTS (SELECT 1 FROM notifications WHERE id = @NotificationId)
            ON CONFLICT DO NOTHING
            """, attempt, cancellationToken: token)) > 0;

    // Properties, not a positional record: Dapper reports a text[] column as System.Array, which no constructor parameter matches.
    sealed class TargetRow
    {
        public Guid Id { get; init; }
        public string Url { get; init; } = "";
        public string[] Events { get; init; } = [];
        public string? Secret { get; init; }
        public string Format { get; init; } = "";
        public DateTime CreatedAt { get; init; }

        public NotificationTarget ToTarget() => new(Id, Url, Events, Secret, Format, StoredTime.Utc(CreatedAt));
    }

    sealed record AttemptRow(Guid NotificationId, Guid DeploymentId, string Event, int Attempt, Guid DeliveryId, DateTime At,
        int? StatusCode, string? Error, int DurationMs, bool Succeeded, bool GaveUp)
    {
        public DeliveryAttempt ToAttempt() => new(NotificationId, DeploymentId, Event, Attempt, DeliveryId, StoredTime.Utc(At), StatusCode, Error, DurationMs, Succeeded, GaveUp);
    }

}

public sealed record DeliveryProgress(int Attempts, bool Succeeded, bool GaveUp);
