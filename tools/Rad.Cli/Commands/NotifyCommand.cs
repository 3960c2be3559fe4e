using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using static Rad.Cli.Commands.CommandRunner;

namespace Rad.Cli.Commands;

/// <summary>rad notify add|list|remove|deliveries: where RAD POSTs when a deployment starts or ends. Secrets are sent, never printed.</summary>
public static class NotifyCommand
{
    public static Command Create() =>
        new("notify", "Register, list and remove the URLs RAD notifies when a deployment ends (or starts), and see every delivery attempt")
            { Add(), List(), Remove(), Deliveries() };

    static Argument<string> IdArgument() => new("id") { Description = "the notification's id (rad notify list shows them)" };

    static Command Add()
    {
        var url = new Argument<string>("url") { Description = "the http(s) address to POST to (a https://hooks.slack.com/... URL gets Slack's format)" };
        var events = new Option<string?>("--events") { Description = "comma-separated: succeeded, failed, superseded, started (default: succeeded,failed)" };
        var secret = new Option<string?>("--secret") { Description = "sign every body with HMAC-SHA256 in X-Rad-Signature-256 (visible in the process list: prefer --secret-file)" };
        var secretFile = new Option<string?>("--secret-file") { Description = "read the secret from this file ('-' reads standard input); a final newline is dropped" };
        var format = new Option<string?>("--format") { Description = "json (RAD's summary) or slack (an incoming-webhook message); default: slack for hooks.slack.com, else json" };
        format.AcceptOnlyFromAmong("json", "slack");
        var add = new Command("add", "Notify URL when a deployment ends (or starts)") { url, events, secret, secretFile, format };
        add.SetAction((result, token) => RunAsync(result, async client =>
        {
            var key = await ReadSecretAsync(result.GetValue(secret), result.GetValue(secretFile), token);
            var eventList = result.GetValue(events)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var answer = await client.CallAsync(HttpMethod.Post, "api/notifications",
                new { url = result.GetValue(url), events = eventList, secret = key, format = result.GetValue(format) }, token);
            var view = JsonDocument.Parse(answer).RootElement;
            Print(result, answer, $"notification {view.GetProperty("id").GetString()}: {Describe(view)}");
            return ExitCodes.Succeeded;
        }, token));
        return add;
    }

    static async Task<string?> ReadSecretAsync(string? secret, string? file, CancellationToken token)
    {
        if (secret is not null && file is not null)
            throw new CliException("give the secret once: --secret or --secret-file, not both");
        if (file is null)
            return secret;
        try
        {
            var text = file == "-" ? await Console.In.ReadToEndAsync(token) : await File.ReadAllTextAsync(file, token);
            return text.TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the secret file {file}: {e.Message}");
        }
    }

    static Command List()
    {
        var list = new Command("list", "List the registered notifications (never their secrets)");
        list.SetAction((result, token) => RunAsync(result, async client =>
        {
            var answer = await client.CallAsync(HttpMethod.Get, "api/notifications", null, token);
            if (Mode(result) == OutputMode.Json)
            {
                Console.Out.WriteLine(answer);
                return ExitCodes.Succeeded;
            }
            Console.Out.WriteLine($"{"ID",-36}  {"FORMAT",-6}  {"SIGNED",-6}  {"EVENTS",-30}  URL");
            foreach (var n in JsonDocument.Parse(answer).RootElement.EnumerateArray())
                Console.Out.WriteLine($"{n.GetProperty("id").GetString(),-36}  {n.GetProperty("format").GetString(),-6}  {(n.GetProperty("signed").GetBoolean() ? "yes" : "no"),-6}  " +
                                      $"{string.Join(",", n.GetProperty("events").EnumerateArray().Select(e => e.GetString())),-30}  {n.GetProperty("url").GetString()}");
            return ExitCodes.Succeeded;
        }, token));
        return list;
    }

    static Command Remove()
    {
        var id = IdArgument();
        var remove = new Command("remove", "Stop notifying this URL (its recorded deliveries go too)") { id };
        remove.SetAction((result, token) => RunAsync(result, async client =>
        {
            await client.CallAsync(HttpMethod.Delete, $"api/notifications/{Uri.EscapeDataString(result.GetValue(id)!)}", null, token);
            Print(result, $"{{\"removed\":\"{result.GetValue(id)}\"}}", $"removed notification {result.GetValue(id)}");
            return ExitCodes.Succeeded;
        }, token));
        return remove;
    }

    static Command Deliveries()
    {
        var id = IdArgument();
        var deliveries = new Command("deliveries", "Every attempt to deliver to this notification, newest first") { id };
        deliveries.SetAction((result, token) => RunAsync(result, async client =>
        {
            var answer = await client.CallAsync(HttpMethod.Get, $"api/notifications/{Uri.EscapeDataString(result.GetValue(id)!)}/deliveries", null, token);
            if (Mode(result) == OutputMode.Json)
            {
                Console.Out.WriteLine(answer);
                return ExitCodes.Succeeded;
            }
            Console.Out.WriteLine($"{"AT",-19}  {"DEPLOYMENT",-36}  {"EVENT",-10}  {"TRY",3}  {"OUTCOME",-9}  {"MS",6}  ANSWER");
            foreach (var a in JsonDocument.Parse(answer).RootElement.EnumerateArray())
            {
                var at = a.GetProperty("at").GetDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                var answerText = a.GetProperty("statusCode").ValueKind == JsonValueKind.Number ? $"HTTP {a.GetProperty("statusCode").GetInt32()}" : "";
                if (a.GetProperty("error").GetString() is { } error)
                    answerText = error;
                Console.Out.WriteLine($"{at,-19}  {a.GetProperty("deploymentId").GetString(),-36}  {a.GetProperty("event").GetString(),-10}  {a.GetProperty("attempt").GetInt32(),3}  " +
                                      $"{a.GetProperty("outcome").GetString(),-9}  {a.GetProperty("durationMs").GetInt32(),6}  {answerText}");
            }
            return ExitCodes.Succeeded;
        }, token));
        return deliveries;
    }

    static string Describe(JsonElement view) =>
        $"{string.Join(",", view.GetProperty("events").EnumerateArray().Select(e => e.GetString()))} to {view.GetProperty("url").GetString()} " +
        $"as {view.GetProperty("format").GetString()}, {(view.GetProperty("signed").GetBoolean() ? "signed" : "unsigned")}";
}
