namespace Rad.IntegrationTests.Isolated.Notifications;

/// <summary>The test's own RAD with notification retries shortened, so a given-up delivery is seen within seconds.</summary>
public sealed class NotifyingRad : IsolatedRad
{
    public const int Attempts = 3;
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(300);
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);
    public const string DashboardUrl = "http://rad.example.test:7080/";

    protected override void Configure(IDictionary<string, string> environment)
    {
        environment["Rad__Notifications__Attempts"] = Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Rad__Notifications__FirstDelay"] = FirstDelay.ToString("c");
        environment["Rad__Notifications__AttemptTimeout"] = AttemptTimeout.ToString("c");
        environment["Rad__Dashboard__PublicUrl"] = DashboardUrl;
    }
}
