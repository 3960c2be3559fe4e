using System.Text.Json;
using Rad.Status.Api;
using Rad.Status.Notifications;
using Xunit;

namespace Rad.UnitTests.Notifications;

public sealed class NotificationRequestTests
{
    static (NotificationRequestBody? Body, Dictionary<string, string[]> Errors) Read(string json) =>
        NotificationRequestReader.Read(JsonDocument.Parse(json).RootElement);

    static string Only(Dictionary<string, string[]> errors, string field) => Assert.Single(Assert.Contains(field, errors));

    [Fact]
    public void Url_alone_notifies_successes_and_failures_unsigned_as_json()
    {
        var (body, errors) = Read("""{"url": "https://ci.example.com/hooks/rad"}""");

        Assert.Empty(errors);
        Assert.Equal("https://ci.example.com/hooks/rad", body!.Url);
        Assert.Equal(["succeeded", "failed"], body.Events);
        Assert.Null(body.Secret);
        Assert.Equal("json", body.Format);
    }

    [Fact]
    public void Slack_webhook_gets_slacks_format_unless_json_is_asked_for()
    {
        Assert.Equal("slack", Read("""{"url": "https://hooks.slack.com/services/T000/B000/XXXX"}""").Body!.Format);
        Assert.Equal("json", Read("""{"url": "https://hooks.slack.com/services/T000/B000/XXXX", "format": "json"}""").Body!.Format);
        Assert.Equal("slack", Read("""{"url": "http://127.0.0.1:9000/", "format": "slack"}""").Body!.Format);
    }

    [Fact]
    public void Events_are_checked_one_by_one_and_each_unknown_one_named_with_its_index()
    {
        var (body, errors) = Read("""{"url": "http://127.0.0.1:9000/", "events": ["succeeded", "finished", 3]}""");

        Assert.Null(body);
        Assert.Equal([
            "events[1] \"finished\" is not a known event: use succeeded, failed, superseded, started.",
            "events[2] must be a string, one of succeeded, failed, superseded, started."], errors["events"]);
        Assert.Equal("events must name at least one event (succeeded, failed, superseded, started); leave it out for the default, succeeded and failed.",
            Only(Read("""{"url": "http://127.0.0.1:9000/", "events": []}""").Errors, "events"));
        Assert.Equal(["started", "failed"], Read("""{"url": "http://127.0.0.1:9000/", "events": ["Started", "failed", "started"]}""").Body!.Events);
    }

    [Theory]
    [InlineData("""{"events": ["failed"]}""", "url is required: the http:// or https:// address RAD POSTs to, e.g. \"https://example.com/rad\".")]
    [InlineData("""{"url": "ftp://files.example.com/x"}""", "url must use http or https, not ftp.")]
    [InlineData("""{"url": "/relative/path"}""", "url must be an absolute address with a scheme and a host, such as \"https://example.com/rad\".")]
    [InlineData("""{"url": "not a url"}""", "url must be an absolute address with a scheme and a host, such as \"https://example.com/rad\".")]
    [InlineData("""{"url": 42}""", "url must be a non-empty string: the http:// or https:// address RAD POSTs to.")]
    [InlineData("""{"url": "https://example.com/rad#top"}""", "url must not have a #fragment: it is never sent to the server.")]
    public void Bad_url_says_what_is_wrong_without_quoting_it(string json, string message)
    {
        Assert.Equal(message, Only(Read(json).Errors, "url"));
    }

    [Fact]
    public void Url_longer_than_2_KiB_is_refused_and_2_KiB_is_not()
    {
        var longest = "https://example.com/" + new string('a', 2048 - "https://example.com/".Length);

        Assert.Empty(Read($$"""{"url": "{{longest}}"}""").Errors);
        Assert.Equal("url is 2049 characters long; at most 2048 are accepted.", Only(Read($$"""{"url": "{{longest}}b"}""").Errors, "url"));
    }

    [Fact]
    public void Secret_problems_never_quote_the_secret()
    {
        var tooLong = "s3cr3t-" + new string('x', 250);

        var message = Only(Read($$"""{"url": "http://127.0.0.1:9000/", "secret": "{{tooLong}}"}""").Errors, "secret");

        Assert.Equal("secret is 257 characters long; at most 256 are accepted.", message);
        Assert.Equal("secret must be a non-empty string (leave it out to send unsigned notifications).",
            Only(Read("""{"url": "http://127.0.0.1:9000/", "secret": ""}""").Errors, "secret"));
        Assert.Equal("topsecret", Read("""{"url": "http://127.0.0.1:9000/", "secret": "topsecret"}""").Body!.Secret);
    }

    [Fact]
    public void Unknown_format_and_unknown_fields_are_named()
    {
        var errors = Read("""{"url": "http://127.0.0.1:9000/", "format": "xml", "secrets": "x"}""").Errors;

        Assert.Equal("format must be \"json\" (RAD's summary of the deployment) or \"slack\" (a Slack incoming-webhook message), not \"xml\".", Only(errors, "format"));
        Assert.Equal("\"secrets\" is not a known field: use url, events, secret, format.", Only(errors, "secrets"));
    }

    [Fact]
    public void Body_that_is_not_an_object_is_refused_with_an_example()
    {
        Assert.StartsWith("The request body must be a JSON object such as {\"url\": ", Only(Read("[1]").Errors, "body"));
    }

    [Theory]
    [InlineData("https://hooks.slack.com/services/T0001/B0002/sEcReTtOkEn", "https://hooks.slack.com/services/T0001/B0002/***")]
    [InlineData("https://ana:pw@ci.example.com:8443/rad?token=abc", "https://***@ci.example.com:8443/rad?***")]
    [InlineData("http://127.0.0.1:9000/hook", "http://127.0.0.1:9000/hook")]
    public void Shown_url_masks_what_may_be_a_credential(string url, string shown)
    {
        Assert.Equal(shown, TargetDisplay.Shown(url));
    }

    [Theory]
    [InlineData("https://hooks.slack.com/services/T0001/B0002/sEcReTtOkEn", "https://hooks.slack.com")]
    [InlineData("https://ana:pw@ci.example.com:8443/rad?token=abc", "https://ci.example.com:8443")]
    public void Logs_show_only_the_origin(string url, string origin)
    {
        Assert.Equal(origin, TargetDisplay.Origin(url));
        Assert.DoesNotContain("sEcReT", new NotificationTarget(Guid.NewGuid(), url, ["failed"], "sEcReT", "json", DateTimeOffset.UnixEpoch).ToString());
    }

    [Fact]
    public void Backoff_doubles_from_the_first_delay_up_to_the_maximum()
    {
        var options = new NotificationOptions { FirstDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(10) };

        Assert.Equal([2, 4, 8, 10, 10], Enumerable.Range(2, 5).Select(a => options.DelayBefore(a).TotalSeconds));
    }
}
