using System.Globalization;
using System.Text;
using System.Text.Json;
using Rad.Contracts;
using Rad.Status.Saga;

namespace Rad.Status.Notifications;

/// <summary>The bodies RAD POSTs: its own JSON summary of the deployment, or a Slack incoming-webhook message.</summary>
public static class NotificationPayload
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static byte[] For(string format, string @event, DeploymentView deployment, string link) =>
        format == NotificationTarget.Slack ? SlackBody(@event, deployment, link) : JsonBody(@event, deployment, link);

    public static byte[] JsonBody(string @event, DeploymentView deployment, string link) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        @event,
        deployment = new
        {
            id = deployment.Id,
            state = deployment.State,
            repository = Redaction.Credentials(deployment.Repository),
            @ref = deployment.Ref,
            commit = deployment.Commit,
            cluster = deployment.Cluster,
            trigger = deployment.Trigger,
            requestedAt = deployment.CreatedAt,
            startedAt = StartedAt(deployment),
            endedAt = deployment.CompletedAt,
            durationSeconds = Duration(deployment) is { } duration ? Math.Round(duration.TotalSeconds, 3) : (double?)null,
            error = deployment.Error is null ? null : Redaction.Credentials(deployment.Error),
            applications = deployment.Applications.Select(a => new
            {
                name = a.Name, image = a.Image, replicas = a.Replicas, runningReplicas = a.RunningReplicas, endpoint = a.Endpoint, note = a.Note,
            }),
        },
        link,
    }, Json);

    /// <summary>{"text": ...} with the deployment linked as &lt;url|label&gt;; Slack's own markup characters in RAD's words are escaped.</summary>
    public static byte[] SlackBody(string @event, DeploymentView deployment, string link)
    {
        var text = new StringBuilder();
        text.Append(@event switch
        {
            NotificationEvents.Succeeded => ":white_check_mark: ",
            NotificationEvents.Failed => ":x: ",
            NotificationEvents.Superseded => ":fast_forward: ",
            _ => ":arrow_forward: ",
        });
        text.Append(CultureInfo.InvariantCulture, $"<{link}|Deployment {deployment.Id.ToString()[..8]}> of ");
        text.Append(Escape($"{Redaction.Credentials(deployment.Repository)} at {deployment.Ref}"));
        if (deployment.Commit is { Length: >= 7 } commit)
            text.Append(CultureInfo.InvariantCulture, $" ({commit[..7]})");
        text.Append(Escape($" to {deployment.Cluster} "));
        var duration = Duration(deployment) is { } d ? $"{d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s" : null;
        text.Append(@event switch
        {
            NotificationEvents.Succeeded => $"succeeded in {duration}",
            NotificationEvents.Failed => $"failed after {duration}",
            NotificationEvents.Superseded => $"was superseded after {duration}",
            _ => "started",
        });
        if (@event != NotificationEvents.Started && deployment.Error is { } error)
            text.Append(": ").Append(Escape(Redaction.Credentials(error)));
        foreach (var application in deployment.Applications.Where(a => a.Endpoint is not null))
            text.Append("\n• ").Append(Escape($"{application.Name}: {application.Endpoint} ({application.RunningReplicas}/{application.Replicas} running)"));
        return JsonSerializer.SerializeToUtf8Bytes(new { text = text.ToString() }, Json);
    }

    /// <summary>When work began: the first stage after the deployment's wait in its queue.</summary>
    static DateTimeOffset? StartedAt(DeploymentView deployment) =>
        deployment.Stages.Where(s => s.Name != StageNames.Queue).Select(s => (DateTimeOffset?)s.StartedAt).Min();

    /// <summary>From the request to the final state, as the CLI and the dashboard count it.</summary>
    static TimeSpan? Duration(DeploymentView deployment) => deployment.CompletedAt - deployment.CreatedAt;

    /// <summary>Slack reads &amp;, &lt; and &gt; as markup: https://api.slack.com/reference/surfaces/formatting#escaping.</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
