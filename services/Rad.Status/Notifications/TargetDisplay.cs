namespace Rad.Status.Notifications;

/// <summary>
/// How a target's URL may be shown. Its path can be a credential (a Slack incoming webhook's last segment lets anyone post
/// to the channel), so logs and errors show only its origin, and the API shows it with that part, any user-info and any
/// query masked.
/// </summary>
public static class TargetDisplay
{
    public const string SlackHost = "hooks.slack.com";

    /// <summary>scheme://host[:port], all that a log line may carry.</summary>
    public static string Origin(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}" : "(not a URL)";

    public static bool IsSlack(Uri uri) => uri.Host.Equals(SlackHost, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The URL for the API: user-info and query values become ***; on a Slack webhook
    /// (https://hooks.slack.com/services/T.../B.../TOKEN) the token segment does too, the workspace and hook ids stay so
    /// people can tell hooks apart.
    /// </summary>
    public static string Shown(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return "(not a URL)";
        var path = uri.AbsolutePath;
        if (IsSlack(uri))
        {
            var segments = path.Split('/');
            path = segments.Length > 2 ? string.Join('/', segments[..^1]) + "/***" : "/***";
        }
        var userInfo = uri.UserInfo.Length > 0 ? "***@" : "";
        var query = uri.Query.Length > 1 ? "?***" : "";
        return $"{uri.Scheme}://{userInfo}{uri.Authority}{path}{query}";
    }
}
