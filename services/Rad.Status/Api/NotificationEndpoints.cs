using System.Text.Json;
using Rad.Contracts;
using Rad.Status.Notifications;

namespace Rad.Status.Api;

/// <summary>
/// /api/notifications: where RAD POSTs when a deployment starts or ends, and every attempt it made. Answers say whether
/// a target signs (<c>signed</c>) but never contain its secret, and show its URL with any credential-like part masked.
/// </summary>
public static class NotificationEndpoints
{
    const int MaxDeliveries = 500;

    public static void MapNotificationEndpoints(this WebApplication app)
    {
        var api = app.MapGroup("/api/notifications");

        api.MapPost("", async (HttpRequest request, NotificationStore store, TimeProvider clock, ILogger<NotificationStore> logger, CancellationToken token) =>
        {
            var (root, notJson) = await RequestJson.ReadAsync(request, """{"url": "https://example.com/rad", "events": ["succeeded", "failed"], "secret": "..."}""", token);
            if (notJson is not null)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [notJson] }, title: "The notification is not valid.");
            var (body, errors) = NotificationRequestReader.Read(root);
            if (body is null)
                return Results.ValidationProblem(errors, title: "The notification is not valid.");
            var target = new NotificationTarget(Guid.NewGuid(), body.Url, body.Events, body.Secret, body.Format, clock.GetUtcNow());
            await store.AddAsync(target, token);
            logger.LogInformation("Registered notification {NotificationId} to {Target} for {Events} ({Format}, {Signing})",
                target.Id, TargetDisplay.Origin(target.Url), string.Join(",", target.Events), target.Format, target.Secret is null ? "unsigned" : "signed");
            return Results.Created($"/api/notifications/{target.Id}", View(target));
        });

        api.MapGet("", async (NotificationStore store, CancellationToken token) =>
            Results.Ok((await store.ListAsync(token)).Select(View)));

        api.MapGet("/{notificationId}", async (string notificationId, NotificationStore store, CancellationToken token) =>
            ParseId(notificationId) is not { } id ? BadId(notificationId)
            : await store.FindAsync(id, token) is { } target ? Results.Ok(View(target))
            : NotFound(id));

        api.MapDelete("/{notificationId}", async (string notificationId, NotificationStore store, ILogger<NotificationStore> logger, CancellationToken token) =>
        {
            if (ParseId(notificationId) is not { } id)
                return BadId(notificationId);
            if (!await store.RemoveAsync(id, token))
                return NotFound(id);
            logger.LogInformation("Removed notification {NotificationId}", id);
            return Results.NoContent();
        });

        api.MapGet("/{notificationId}/deliveries", async (string notificationId, int? limit, NotificationStore store, CancellationToken token) =>
        {
            if (ParseId(notificationId) is not { } id)
                return BadId(notificationId);
            var take = limit ?? 100;
            if (take is < 1 or > MaxDeliveries)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {MaxDeliveries} (default 100)."] });
            if (await store.FindAsync(id, token) is null)
                return NotFound(id);
            return Results.Ok((await store.AttemptsAsync(id, take, token)).Select(a => new
            {
                deliveryId = a.DeliveryId,
                deploymentId = a.DeploymentId,
                @event = a.Event,
                attempt = a.Attempt,
                at = a.At,
                outcome = a.Succeeded ? "delivered" : a.GaveUp ? "given up" : "failed",
                statusCode = a.StatusCode,
                error = a.Error,
                durationMs = a.DurationMs,
                succeeded = a.Succeeded,
                gaveUp = a.GaveUp,
            }));
        });
    }

    static object View(NotificationTarget target) => new
    {
        id = target.Id,
        url = TargetDisplay.Shown(target.Url),
        events = target.Events,
        format = target.Format,
        signed = target.Secret is not null,
        createdAt = target.CreatedAt,
        deliveries = $"/api/notifications/{target.Id}/deliveries",
    };

    static Guid? ParseId(string text) => Guid.TryParse(text, out var id) ? id : null;

    static IResult BadId(string text) => Results.ValidationProblem(new Dictionary<string, string[]>
    {
        ["id"] = [$"\"{Excerpt.Of(text, 60)}\" is not a notification id: use the id POST /api/notifications answered (GET /api/notifications lists them)."],
    }, title: "The notification id is not valid.");

    static IResult NotFound(Guid id) =>
        Results.Problem(statusCode: 404, title: "Notification not found", detail: $"No notification has id {id} (GET /api/notifications lists them, rad notify list too).");
}
