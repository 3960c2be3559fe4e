using System.Text;
using System.Text.Json;
using Rad.Contracts;
using Rad.Status.Notifications;
using Rad.Webhooks;
using Xunit;

namespace Rad.UnitTests.Notifications;

public sealed class NotificationBodyTests
{
    static readonly Guid Id = Guid.Parse("cd150000-8fe9-82cf-8348-08df485351ab");
    static readonly DateTimeOffset Requested = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    const string Link = "http://127.0.0.1:7080/#/deployments/cd150000-8fe9-82cf-8348-08df485351ab";

    static DeploymentView Deployment(string state = DeploymentStates.Succeeded, string? error = null) => new(
        Id, "https://ana:tok3n@git.example.com/shop.git", "main", "e1b02b210bba6e09c3e8125f787bd4cdeddb07f9", "local", state, "queue", null, error,
        [
            new StageView("wait for running deployment", StageStates.Completed, Requested, Requested.AddSeconds(4), null),
            new StageView("clone user git repository", StageStates.Completed, Requested.AddSeconds(4), Requested.AddSeconds(5), null),
        ],
        [new ApplicationView("web", "127.0.0.1:5000/shop/web@sha256:aa", 2, 2, 30000, "http://127.0.0.1:30000")],
        Requested, state == DeploymentStates.InProgress ? null : Requested.AddSeconds(12.5), "cli", false);

    [Fact]
    public void Signature_is_githubs_hmac_sha256_of_the_raw_body_and_githubs_own_check_accepts_it()
    {
        // The example of GitHub's "Validating webhook deliveries" documentation.
        var body = "Hello, World!"u8.ToArray();

        var signature = NotificationSignature.Sign("It's a Secret to Everybody", body);

        Assert.Equal("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", signature);
        Assert.True(GitHost.GitHub.Verify(body, signature, "It's a Secret to Everybody"));
        Assert.False(GitHost.GitHub.Verify("Hello, World?"u8.ToArray(), signature, "It's a Secret to Everybody"));
    }

    [Fact]
    public void Delivery_id_is_the_same_for_every_attempt_of_a_delivery_and_differs_between_deliveries()
    {
        var (notification, deployment) = (Guid.NewGuid(), Guid.NewGuid());

        var first = NotificationSignature.DeliveryId(notification, deployment, "succeeded");

        Assert.Equal(first, NotificationSignature.DeliveryId(notification, deployment, "succeeded"));
        Assert.NotEqual(first, NotificationSignature.DeliveryId(notification, deployment, "started"));
        Assert.NotEqual(first, NotificationSignature.DeliveryId(Guid.NewGuid(), deployment, "succeeded"));
    }

    [Fact]
    public void Json_body_summarises_the_deployment_with_its_link_and_no_repository_credentials()
    {
        var body = NotificationPayload.For(NotificationTarget.Json, "succeeded", Deployment(), Link);

        Assert.DoesNotContain("tok3n", Encoding.UTF8.GetString(body));
        var root = JsonDocument.Parse(body).RootElement;
        Assert.Equal("succeeded", root.GetProperty("event").GetString());
        Assert.Equal(Link, root.GetProperty("link").GetString());
        var d = root.GetProperty("deployment");
        Assert.Equal(Id, d.GetProperty("id").GetGuid());
        Assert.Equal("Succeeded", d.GetProperty("state").GetString());
        Assert.Equal("https://***@git.example.com/shop.git", d.GetProperty("repository").GetString());
        Assert.Equal("main", d.GetProperty("ref").GetString());
        Assert.Equal("e1b02b210bba6e09c3e8125f787bd4cdeddb07f9", d.GetProperty("commit").GetString());
        Assert.Equal("local", d.GetProperty("cluster").GetString());
        Assert.Equal("cli", d.GetProperty("trigger").GetString());
        Assert.Equal(Requested, d.GetProperty("requestedAt").GetDateTimeOffset());
        Assert.Equal(Requested.AddSeconds(4), d.GetProperty("startedAt").GetDateTimeOffset()); // after the wait in the queue
        Assert.Equal(Requested.AddSeconds(12.5), d.GetProperty("endedAt").GetDateTimeOffset());
        Assert.Equal(12.5, d.GetProperty("durationSeconds").GetDouble());
        Assert.Equal(JsonValueKind.Null, d.GetProperty("error").ValueKind);
        var web = Assert.Single(d.GetProperty("applications").EnumerateArray());
        Assert.Equal("web", web.GetProperty("name").GetString());
        Assert.Equal("http://127.0.0.1:30000", web.GetProperty("endpoint").GetString());
        Assert.Equal(2, web.GetProperty("runningReplicas").GetInt32());
    }

    [Fact]
    public void Json_body_of_a_start_has_no_end_and_no_duration()
    {
        var d = JsonDocument.Parse(NotificationPayload.JsonBody("started", Deployment(DeploymentStates.InProgress), Link)).RootElement.GetProperty("deployment");

        Assert.Equal(JsonValueKind.Null, d.GetProperty("endedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, d.GetProperty("durationSeconds").ValueKind);
    }

    [Fact]
    public void Slack_body_is_an_incoming_webhook_text_linking_the_deployment()
    {
        var text = JsonDocument.Parse(NotificationPayload.For(NotificationTarget.Slack, "succeeded", Deployment(), Link)).RootElement.GetProperty("text").GetString();

        Assert.Equal(":white_check_mark: <" + Link + "|Deployment cd150000> of https://***@git.example.com/shop.git at main (e1b02b2) to local succeeded in 12.5 s" +
                     "\n• web: http://127.0.0.1:30000 (2/2 running)", text);
    }

    [Fact]
    public void Slack_body_of_a_failure_carries_the_error_with_slacks_markup_characters_escaped()
    {
        var failed = Deployment(DeploymentStates.Failed, "build docker image[web]: step <RUN make> failed & exited 2");

        var text = JsonDocument.Parse(NotificationPayload.SlackBody("failed", failed, Link)).RootElement.GetProperty("text").GetString()!;

        Assert.StartsWith(":x: <" + Link + "|Deployment cd150000>", text);
        Assert.Contains("failed after 12.5 s: build docker image[web]: step &lt;RUN make&gt; failed &amp; exited 2", text);
    }
}
