namespace Rad.IntegrationTests.Isolated.Notifications;

/// <summary>
/// The test's own RAD with a backoff long enough to kill the status service between two attempts; it keeps the services'
/// settings so the test can start a status service of its own in place of the one it killed.
/// </summary>
public sealed class CrashingNotifyingRad : IsolatedRad
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
