namespace Rad.IntegrationTests.Isolated.Notifications;

/// <summary>
/// The test's own RAD with a backoff long enough for a test to act between two attempts (end the status service, remove
/// the target); it keeps the services' settings so a test can start a status service in place of one it ended.
/// </summary>
public abstract class RetryingRad(TimeSpan firstDelay) : IsolatedRad
{
    public TimeSpan FirstDelay { get; } = firstDelay;

    public IReadOnlyDictionary<string, string> Settings { get; private set; } = new Dictionary<string, string>();

    protected override void Configure(IDictionary<string, string> environment)
    {
        environment["Rad__Notifications__Attempts"] = "3";
        environment["Rad__Notifications__FirstDelay"] = FirstDelay.ToString("c");
        environment["Rad__Notifications__AttemptTimeout"] = "00:00:02";
        Settings = new Dictionary<string, string>(environment);
    }
}

/// <summary>Retries after 6 s: time to act between two attempts.</summary>
public sealed class SlowRetryRad() : RetryingRad(TimeSpan.FromSeconds(6));

/// <summary>Retries after 20 s: longer than the 10 s a stopping service gives its consumers to finish.</summary>
public sealed class VerySlowRetryRad() : RetryingRad(TimeSpan.FromSeconds(20));
