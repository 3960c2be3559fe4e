using Dapper;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using Rad.Status.Outbox;

namespace Rad.Status.Deadlines;

public sealed class PendingRequestSweeperOptions
{
    public const string Section = "Rad:PendingRequests";
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A request still without a deployment this long after it was accepted (or last published again) is published again.</summary>
    public TimeSpan RepublishAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times at most: a request the saga cannot take (it ends in the error queue each time) is not published forever.</summary>
    public int MaxRepublish { get; set; } = 5;
}

/// <summary>
/// A request accepted over HTTP is stored before it is published; when the publish was lost (the service killed, the
/// broker away), the request would stay Pending forever. This publishes it again, with the command stored beside it;
/// the saga ignores a request for a deployment it already has.
/// </summary>
public sealed class PendingRequestSweeper(NpgsqlDataSource dataSource, IBus bus, TimeProvider clock, IOptions<PendingRequestSweeperOptions> options,
    ILogger<PendingRequestSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Pending request sweep failed; trying again next tick");
            }
        }
    }

    /// <summary>Publishes every stale pending request again (at most 50 at a time) and returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken token)
    {
        var settings = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await using var transaction = await connection.BeginTransactionAsync(token);
        var stale = (await connection.QueryAsync<(Guid Id, string MessageType, string Message, int Republished)>(new CommandDefinition("""
            SELECT r.id, r.message_type, r.message, r.republished FROM deployment_requests r
            WHERE r.message IS NOT NULL AND r.republished < @MaxRepublish
              AND COALESCE(r.republished_at, r.requested_at) <= now() - @RepublishAfter
              AND NOT EXISTS (SELECT 1 FROM deployments d WHERE d.correlation_id = r.id)
            ORDER BY r.requested_at
            LIMIT 50
            FOR UPDATE OF r SKIP LOCKED
            """, new { settings.MaxRepublish, settings.RepublishAfter }, transaction, cancellationToken: token))).ToList();
        foreach (var request in stale)
        {
            var (type, message) = MessageJson.Deserialize(request.MessageType, request.Message);
            await bus.Publish(message, type, token);
            var attempt = request.Republished + 1;
            if (attempt < settings.MaxRepublish)
                logger.LogWarning("Deployment {DeploymentId} is still pending: published its {MessageType} again (attempt {Attempt} of {Max})",
                    request.Id, type.Name, attempt, settings.MaxRepublish);
            else
                logger.LogError("Deployment {DeploymentId} is still pending: published its {MessageType} again for the last time ({Max}); look for it in the error queue",
                    request.Id, type.Name, settings.MaxRepublish);
        }
        if (stale.Count > 0)
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE deployment_requests SET republished = republished + 1, republished_at = now() WHERE id = ANY(@ids)",
                new { ids = stale.Select(s => s.Id).ToArray() }, transaction, cancellationToken: token));
        await transaction.CommitAsync(token);
        return stale.Count;
    }
}
