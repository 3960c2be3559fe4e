namespace Rad.Status.Notifications;

/// <summary>Rad:Notifications: how hard RAD tries to deliver a notification.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Rad:Notifications";

    /// <summary>Attempts per delivery, the first included; after the last failed one the delivery is given up.</summary>
    public int Attempts { get; set; } = 5;

    /// <summary>The wait before the second attempt; each later wait doubles, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long one attempt may take, connecting and answering included.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries one status instance runs at the same time; a slow target holds one of these, never the others.</summary>
    public int ConcurrentDeliveries { get; set; } = 32;

    /// <summary>The wait before attempt <paramref name="attempt"/> (2 or more).</summary>
    public TimeSpan DelayBefore(int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 2, 30));
        var delay = FirstDelay * factor;
        return delay > MaxDelay ? MaxDelay : delay;
    }

    public static bool IsValid(NotificationOptions o) =>
        o.Attempts is >= 1 and <= 20 && o.FirstDelay >= TimeSpan.Zero && o.MaxDelay >= o.FirstDelay
        && o.AttemptTimeout > TimeSpan.Zero && o.ConcurrentDeliveries is >= 1 and <= 1000;
}
