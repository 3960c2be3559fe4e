namespace Rad.IntegrationTests.Isolated.Notifications;

/// <summary>
/// The test's own RAD with a backoff long enough for a test to act between two attempts (kill the status service, remove
/// the target); it keeps the services' settings so a test can start a status service in place of one it killed.
/// </summary>
public sealed class SlowRetryRad : IsolatedRad
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(6);

    public IReadOnlyDictionary<string, string> Settings { get; private set; } = new Dictionary<string, string>();

    protected override void Configure(IDictionary<string, string> environment)
    {
        environment["Rad__Notifications__Attempts"] = "3";
        environment["Rad__Notifications__FirstDelay"] = FirstDelay.ToString("c");
        environment["Rad__Notifications__AttemptTimeout"] = "00:00:02";
        Settings = new Dictionary<string, string>(environment);
    }
}
