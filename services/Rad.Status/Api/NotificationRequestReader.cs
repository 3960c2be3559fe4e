using System.Text.Json;
using Rad.Status.Notifications;

namespace Rad.Status.Api;

public sealed record NotificationRequestBody(string Url, IReadOnlyList<string> Events, string? Secret, string Format);

/// <summary>Reads POST /api/notifications so that every problem names its field and how to fix it. No message ever quotes the secret.</summary>
public static class NotificationRequestReader
{
    public const int MaxUrlLength = 2048;
    public const int MaxSecretLength = 256;
    static readonly string[] Fields = ["url", "events", "secret", "format"];
    const string Example = "{\"url\": \"https://example.com/rad\", \"events\": [\"succeeded\", \"failed\"], \"secret\": \"...\"}";

    public static (NotificationRequestBody? Body, Dictionary<string, string[]> Errors) Read(JsonElement root)
    {
        var errors = new Dictionary<string, string[]>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = [$"The request body must be a JSON object such as {Example}."];
            return (null, errors);
        }
        foreach (var unknown in root.EnumerateObject().Select(p => p.Name).Where(n => !Fields.Contains(n)))
            errors[unknown] = [$"\"{unknown}\" is not a known field: use {string.Join(", ", Fields)}."];

        var uri = ReadUrl(root, errors);
        var events = ReadEvents(root, errors);
        var secret = ReadSecret(root, errors);
        var format = ReadFormat(root, uri, errors);
        return errors.Count == 0 ? (new NotificationRequestBody(uri!.OriginalString, events!, secret, format!), errors) : (null, errors);
    }

    static Uri? ReadUrl(JsonElement root, Dictionary<string, string[]> errors)
    {
        if (!root.TryGetProperty("url", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors["url"] = ["url is required: the http:// or https:// address RAD POSTs to, e.g. \"https://example.com/rad\"."];
            return null;
        }
        var url = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : null;
        // The URL itself is never quoted back: its path or query may be a credential (a Slack webhook's is).
        if (string.IsNullOrEmpty(url))
            errors["url"] = ["url must be a non-empty string: the http:// or https:// address RAD POSTs to."];
        else if (url.Length > MaxUrlLength)
            errors["url"] = [$"url is {url.Length} characters long; at most {MaxUrlLength} are accepted."];
        else if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.IsFile || uri.IsUnc)
            errors["url"] = ["url must be an absolute address with a scheme and a host, such as \"https://example.com/rad\"."];
        else if (uri.Scheme is not ("http" or "https"))
            errors["url"] = [$"url must use http or https, not {uri.Scheme}."];
        else if (uri.Host.Length == 0)
            errors["url"] = ["url must name a host, such as \"https://example.com/rad\"."];
        else if (uri.Fragment.Length > 0)
            errors["url"] = ["url must not have a #fragment: it is never sent to the server."];
        else
            return uri;
        return null;
    }

    static IReadOnlyList<string>? ReadEvents(JsonElement root, Dictionary<string, string[]> errors)
    {
        var known = string.Join(", ", NotificationEvents.All);
        if (!root.TryGetProperty("events", out var value) || value.ValueKind == JsonValueKind.Null)
            return NotificationEvents.Default;
        if (value.ValueKind != JsonValueKind.Array)
        {
            errors["events"] = [$"events must be an array of event names such as [\"succeeded\", \"failed\"]; the events are {known}."];
            return null;
        }
        var problems = new List<string>();
        var events = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var name = item.ValueKind == JsonValueKind.String ? item.GetString()!.Trim().ToLowerInvariant() : null;
            if (name is null)
                problems.Add($"events[{index}] must be a string, one of {known}.");
            else if (!NotificationEvents.IsKnown(name))
                problems.Add($"events[{index}] \"{item.GetString()}\" is not a known event: use {known}.");
            else if (!events.Contains(name))
                events.Add(name);
            index++;
        }
        if (index == 0)
            problems.Add($"events must name at least one event ({known}); leave it out for the default, succeeded and failed.");
        if (problems.Count > 0)
        {
            errors["events"] = [.. problems];
            return null;
        }
        return events;
    }

    static string? ReadSecret(JsonElement root, Dictionary<string, string[]> errors)
    {
        if (!root.TryGetProperty("secret", out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        var secret = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (string.IsNullOrEmpty(secret))
            errors["secret"] = ["secret must be a non-empty string (leave it out to send unsigned notifications)."];
        else if (secret.Length > MaxSecretLength)
            errors["secret"] = [$"secret is {secret.Length} characters long; at most {MaxSecretLength} are accepted."];
        else
            return secret;
        return null;
    }

    /// <summary>The body's format: as asked, or Slack's for a Slack incoming webhook and RAD's JSON for anything else.</summary>
    static string? ReadFormat(JsonElement root, Uri? uri, Dictionary<string, string[]> errors)
    {
        if (!root.TryGetProperty("format", out var value) || value.ValueKind == JsonValueKind.Null)
            return uri is not null && TargetDisplay.IsSlack(uri) ? NotificationTarget.Slack : NotificationTarget.Json;
        var format = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim().ToLowerInvariant() : null;
        if (format is NotificationTarget.Json or NotificationTarget.Slack)
            return format;
        errors["format"] = [$"format must be \"{NotificationTarget.Json}\" (RAD's summary of the deployment) or \"{NotificationTarget.Slack}\" (a Slack incoming-webhook message), not {value.GetRawText()}."];
        return null;
    }
}
