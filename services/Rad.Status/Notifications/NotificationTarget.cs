namespace Rad.Status.Notifications;

/// <summary>A registered notification: where to POST, for which events, signed with <paramref name="Secret"/> when it has one.</summary>
public sealed record NotificationTarget(Guid Id, string Url, IReadOnlyList<string> Events, string? Secret, string Format, DateTimeOffset CreatedAt)
{
    public const string Json = "json";
    public const string Slack = "slack";

    // A record prints all its members; this one must never print its secret (or its URL, whose path may be a credential).
    public override string ToString() => $"notification {Id} to {TargetDisplay.Origin(Url)}";
}

/// <summary>One HTTP attempt of a delivery, as recorded.</summary>
public sealed record DeliveryAttempt(
    Guid NotificationId, Guid DeploymentId, string Event, int Attempt, Guid DeliveryId, DateTimeOffset At,
    int? StatusCode, string? Error, int DurationMs, bool Succeeded, bool GaveUp);
