using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rad.Contracts;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Isolated.Notifications;

/// <summary>
/// Notifications from a whole RAD of the test's own to a receiver the test runs on 127.0.0.1: signed JSON on start and
/// end, retries recorded attempt by attempt, dead and hanging targets given up without holding anything else up.
/// </summary>
public sealed class NotificationTests(NotifyingRad rad, NotificationReceiver receiver, ITestOutputHelper output)
    : IClassFixture<NotifyingRad>, IClassFixture<NotificationReceiver>
{
    static readonly TimeSpan DeploymentLimit = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Signed_notifications_of_start_and_success_arrive_with_a_valid_signature_and_every_attempt_is_listed()
    {
        var secret = "s3cr3t-" + Guid.NewGuid().ToString("N");
        var path = $"/ok/{Guid.NewGuid():N}";
        var notification = await RegisterAsync(new { url = Url(path), events = new[] { "started", "succeeded", "failed" }, secret });
        Assert.True(notification.GetProperty("signed").GetBoolean());
        Assert.Equal("json", notification.GetProperty("format").GetString());
        var id = notification.GetProperty("id").GetGuid();
        try
        {
            var listed = await rad.Http.GetStringAsync(new Uri(rad.Api, "/api/notifications"));
            Assert.Contains(id.ToString(), listed, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);

            var (deployment, _) = await DeployAsync("tc-nok", extraDockerLines: "");
            Assert.True(deployment.State == DeploymentStates.Succeeded, $"deployment ended {deployment.State}: {deployment.Error}");

            var received = await receiver.WaitForAsync(path, 2, TimeSpan.FromSeconds(30));
            Assert.Equal(["started", "succeeded"], received.Select(r => r.Header("X-Rad-Event")));
            foreach (var request in received)
            {
                // The receiver's own check, as GitHub documents it for its X-Hub-Signature-256.
                var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), request.Body));
                Assert.Equal(expected, request.Header("X-Rad-Signature-256"));
                Assert.Equal("application/json; charset=utf-8", request.Header("Content-Type"));
                Assert.True(Guid.TryParse(request.Header("X-Rad-Delivery"), out _), $"X-Rad-Delivery is {request.Header("X-Rad-Delivery")}");
            }
            Assert.NotEqual(received[0].Header("X-Rad-Delivery"), received[1].Header("X-Rad-Delivery"));

            var body = JsonDocument.Parse(received[1].Body).RootElement;
            output.WriteLine(Encoding.UTF8.GetString(received[1].Body));
            Assert.Equal("succeeded", body.GetProperty("event").GetString());
            Assert.Equal($"{NotifyingRad.DashboardUrl}#/deployments/{deployment.Id}", body.GetProperty("link").GetString());
            var summary = body.GetProperty("deployment");
            Assert.Equal(deployment.Id, summary.GetProperty("id").GetGuid());
            Assert.Equal("Succeeded", summary.GetProperty("state").GetString());
            Assert.Equal(deployment.Repository, summary.GetProperty("repository").GetString());
            Assert.Equal(deployment.Commit, summary.GetProperty("commit").GetString());
            Assert.Equal("local", summary.GetProperty("cluster").GetString());
            Assert.Equal("api", summary.GetProperty("trigger").GetString());
            Assert.Equal(deployment.CompletedAt, summary.GetProperty("endedAt").GetDateTimeOffset());
            var application = Assert.Single(summary.GetProperty("applications").EnumerateArray());
            Assert.Equal(deployment.Applications.Single().Endpoint, application.GetProperty("endpoint").GetString());
            Assert.Equal("InProgress", JsonDocument.Parse(received[0].Body).RootElement.GetProperty("deployment").GetProperty("state").GetString());

            var deliveries = await DeliveriesAsync(id);
            Assert.Equal([("succeeded", 1, 200, "delivered"), ("started", 1, 200, "delivered")],
                deliveries.Select(d => (d.GetProperty("event").GetString(), d.GetProperty("attempt").GetInt32(), d.GetProperty("statusCode").GetInt32(),
                    d.GetProperty("outcome").GetString())));
            Assert.All(deliveries, d => Assert.Equal(deployment.Id, d.GetProperty("deploymentId").GetGuid()));
            Assert.Equal(received[1].Header("X-Rad-Delivery"), deliveries[0].GetProperty("deliveryId").GetString());

            var log = rad.ProcessLog("status");
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
            Assert.DoesNotContain(path, log, StringComparison.Ordinal);
        }
        finally
        {
            await RemoveAsync(id);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await rad.Http.GetAsync(new Uri(rad.Api, $"/api/notifications/{id}"))).StatusCode);
    }

    [Fact]
    public async Task A_deployment_whose_build_fails_notifies_failed_with_its_error()
    {
        var path = $"/ok/{Guid.NewGuid():N}";
        var id = (await RegisterAsync(new { url = Url(path), events = new[] { "failed" } })).GetProperty("id").GetGuid();
        try
        {
            var (deployment, _) = await DeployAsync("tc-nfail", extraDockerLines: "RUN exit 3");
            Assert.Equal(DeploymentStates.Failed, deployment.State);

            var request = Assert.Single(await receiver.WaitForAsync(path, 1, TimeSpan.FromSeconds(30)));
            Assert.Equal("failed", request.Header("X-Rad-Event"));
            Assert.Null(request.Header("X-Rad-Signature-256"));
            var summary = JsonDocument.Parse(request.Body).RootElement.GetProperty("deployment");
            Assert.Equal(deployment.Id, summary.GetProperty("id").GetGuid());
            Assert.Equal("Failed", summary.GetProperty("state").GetString());
            Assert.Equal(deployment.Error, summary.GetProperty("error").GetString());
            Assert.StartsWith("build docker image[", deployment.Error, StringComparison.Ordinal);

            await Task.Delay(1000); // nothing else may follow: the deployment neither started over nor succeeded
            Assert.Single(receiver.To(path));
        }
        finally
        {
            await RemoveAsync(id);
        }
    }

    [Fact]
    public async Task A_target_that_answers_500_is_retried_and_dead_or_hanging_targets_are_given_up_without_holding_up_the_deployment_or_other_targets()
    {
        var okPath = $"/ok/{Guid.NewGuid():N}";
        var flakyPath = $"/flaky/{Guid.NewGuid():N}";
        var slowPath = $"/slow/{Guid.NewGuid():N}";
        var deadUrl = $"http://127.0.0.1:{OwnedContainers.FreePort()}/dead"; // nothing listens there
        var ok = (await RegisterAsync(new { url = Url(okPath) })).GetProperty("id").GetGuid();
        var flaky = (await RegisterAsync(new { url = Url(flakyPath) })).GetProperty("id").GetGuid();
        var slow = (await RegisterAsync(new { url = Url(slowPath) })).GetProperty("id").GetGuid();
        var dead = (await RegisterAsync(new { url = deadUrl })).GetProperty("id").GetGuid();
        try
        {
            var (deployment, took) = await DeployAsync("tc-nretry", extraDockerLines: "");
            Assert.True(deployment.State == DeploymentStates.Succeeded, $"deployment ended {deployment.State}: {deployment.Error}");
            output.WriteLine($"the deployment took {took.TotalSeconds:0.0} s from its request to the end");

            // The working target hears of it at once, though the hanging one holds each attempt for the full timeout.
            var okRequest = Assert.Single(await receiver.WaitForAsync(okPath, 1, TimeSpan.FromSeconds(30)));
            var okDelay = okRequest.At - deployment.CompletedAt!.Value;
            output.WriteLine($"the working target was notified {okDelay.TotalSeconds:0.00} s after the deployment ended");
            Assert.True(okDelay < NotifyingRad.AttemptTimeout, $"the working target was notified only {okDelay.TotalSeconds:0.0} s after the end");

            var flakyRequests = await receiver.WaitForAsync(flakyPath, 2, TimeSpan.FromSeconds(30));
            Assert.Equal(flakyRequests[0].Body, flakyRequests[1].Body);
            Assert.Equal(flakyRequests[0].Header("X-Rad-Delivery"), flakyRequests[1].Header("X-Rad-Delivery"));
            var pause = flakyRequests[1].At - flakyRequests[0].At;
            Assert.True(pause >= NotifyingRad.FirstDelay * 0.9, $"the retry came {pause.TotalMilliseconds:0} ms after the 500, before the first delay");
            var flakyAttempts = await DeliveriesUntilAsync(flaky, attempts => attempts.Any(a => a.GetProperty("succeeded").GetBoolean()));
            Assert.Equal([(2, 200, "delivered"), (1, 500, "failed")],
                flakyAttempts.Select(a => (a.GetProperty("attempt").GetInt32(), a.GetProperty("statusCode").GetInt32(), a.GetProperty("outcome").GetString())));
            Assert.Contains("answered 500", flakyAttempts[1].GetProperty("error").GetString(), StringComparison.Ordinal);

            var deadAttempts = await DeliveriesUntilAsync(dead, attempts => attempts.Any(a => a.GetProperty("gaveUp").GetBoolean()));
            Assert.Equal([(3, "given up"), (2, "failed"), (1, "failed")],
                deadAttempts.Select(a => (a.GetProperty("attempt").GetInt32(), a.GetProperty("outcome").GetString())));
            Assert.All(deadAttempts, a => Assert.Equal(JsonValueKind.Null, a.GetProperty("statusCode").ValueKind));
            Assert.All(deadAttempts, a => Assert.Contains("connection refused", a.GetProperty("error").GetString(), StringComparison.Ordinal));

            var slowAttempts = await DeliveriesUntilAsync(slow, attempts => attempts.Any(a => a.GetProperty("gaveUp").GetBoolean()));
            Assert.Equal([3, 2, 1], slowAttempts.Select(a => a.GetProperty("attempt").GetInt32()));
            Assert.All(slowAttempts, a => Assert.Contains("did not answer within 2 s", a.GetProperty("error").GetString(), StringComparison.Ordinal));
            Assert.Equal(NotifyingRad.Attempts, receiver.To(slowPath).Count);
            var slowEnd = slowAttempts[0].GetProperty("at").GetDateTimeOffset();
            Assert.True(okRequest.At < slowEnd - NotifyingRad.AttemptTimeout, "the working target was notified only after the hanging one was given up");

            // Nothing more is sent once a delivery has succeeded or been given up.
            await Task.Delay(NotifyingRad.FirstDelay * 8);
            Assert.Equal(2, receiver.To(flakyPath).Count);
            Assert.Equal(NotifyingRad.Attempts, receiver.To(slowPath).Count);
            Assert.Equal(3, (await DeliveriesAsync(dead)).Count);
        }
        finally
        {
            foreach (var id in (Guid[])[ok, flaky, slow, dead])
                await RemoveAsync(id);
        }
    }

    [Fact]
    public async Task Bad_registrations_are_refused_naming_each_problem_and_no_answer_shows_a_secret_or_a_slack_token()
    {
        using var refused = await rad.Http.PostAsJsonAsync(new Uri(rad.Api, "/api/notifications"),
            new { url = "ftp://example.com/x", events = new[] { "succeeded", "done" }, format = "xml", secret = new string('k', 300) });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal("url must use http or https, not ftp.", errors.GetProperty("url")[0].GetString());
        Assert.Equal("events[1] \"done\" is not a known event: use succeeded, failed, superseded, started.", errors.GetProperty("events")[0].GetString());
        Assert.Equal("secret is 300 characters long; at most 256 are accepted.", errors.GetProperty("secret")[0].GetString());
        Assert.StartsWith("format must be \"json\"", errors.GetProperty("format")[0].GetString(), StringComparison.Ordinal);

        var slack = await RegisterAsync(new { url = "https://hooks.slack.com/services/T0001/B0002/sEcReTtOkEn", secret = "hush-hush" });
        var id = slack.GetProperty("id").GetGuid();
        try
        {
            Assert.Equal("slack", slack.GetProperty("format").GetString());
            Assert.Equal("https://hooks.slack.com/services/T0001/B0002/***", slack.GetProperty("url").GetString());
            foreach (var answer in new[]
                     {
                         slack.GetRawText(), await rad.Http.GetStringAsync(new Uri(rad.Api, "/api/notifications")),
                         await rad.Http.GetStringAsync(new Uri(rad.Api, $"/api/notifications/{id}")),
                     })
            {
                Assert.DoesNotContain("hush-hush", answer, StringComparison.Ordinal);
                Assert.DoesNotContain("sEcReTtOkEn", answer, StringComparison.Ordinal);
            }
            Assert.DoesNotContain("sEcReTtOkEn", rad.ProcessLog("status"), StringComparison.Ordinal);
        }
        finally
        {
            await RemoveAsync(id);
        }

        using var unknown = await rad.Http.GetAsync(new Uri(rad.Api, $"/api/notifications/{Guid.NewGuid()}/deliveries"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var malformed = await rad.Http.DeleteAsync(new Uri(rad.Api, "/api/notifications/not-an-id"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task Rad_notify_adds_lists_shows_deliveries_and_removes_without_ever_printing_the_secret()
    {
        var secret = "cli-" + Guid.NewGuid().ToString("N");
        var secretFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(secretFile, secret + "\n");
        try
        {
            var url = Url($"/ok/{Guid.NewGuid():N}");
            var (exit, stdout, stderr) = await CliAsync("notify", "add", url, "--events", "succeeded,started", "--secret-file", secretFile);
            Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
            var id = System.Text.RegularExpressions.Regex.Match(stdout, "^notification ([0-9a-f-]{36}): ").Groups[1].Value;
            Assert.Equal($"notification {id}: succeeded,started to {url} as json, signed\n", stdout);
            var view = JsonDocument.Parse(await rad.Http.GetStringAsync(new Uri(rad.Api, $"/api/notifications/{id}"))).RootElement;
            Assert.Equal(["succeeded", "started"], view.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
            Assert.True(view.GetProperty("signed").GetBoolean());

            (exit, stdout, stderr) = await CliAsync("notify", "list");
            Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
            Assert.Contains(stdout.Split('\n'), line => line.StartsWith(id, StringComparison.Ordinal) && line.Contains("json    yes     succeeded,started") && line.EndsWith(url, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, stdout, StringComparison.Ordinal);

            (exit, stdout, stderr) = await CliAsync("notify", "deliveries", id);
            Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
            Assert.StartsWith("AT ", stdout, StringComparison.Ordinal);

            (exit, stdout, stderr) = await CliAsync("notify", "remove", id);
            Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
            Assert.Equal($"removed notification {id}\n", stdout);
            (exit, _, stderr) = await CliAsync("notify", "remove", id);
            Assert.Equal(2, exit);
            Assert.Contains($"No notification has id {id}", stderr, StringComparison.Ordinal);

            (exit, _, stderr) = await CliAsync("notify", "add", url, "--events", "succeeded,finished");
            Assert.Equal(2, exit);
            Assert.Contains("events: events[1] \"finished\" is not a known event: use succeeded, failed, superseded, started.", stderr, StringComparison.Ordinal);
            (exit, _, stderr) = await CliAsync("notify", "add", url, "--secret", "a", "--secret-file", secretFile);
            Assert.Equal(2, exit);
            Assert.Contains("give the secret once: --secret or --secret-file, not both", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(secretFile);
        }
    }

    /// <summary>scripts/rad of this checkout against this test's RAD.</summary>
    Task<(int ExitCode, string Stdout, string Stderr)> CliAsync(params string[] arguments) => Stack.RunCliAsync(rad.Api, inheritToken: false, arguments);

    string Url(string path) => new Uri(receiver.BaseAddress, path).ToString();

    async Task<JsonElement> RegisterAsync(object registration)
    {
        using var response = await rad.Http.PostAsJsonAsync(new Uri(rad.Api, "/api/notifications"), registration);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/notifications answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    async Task RemoveAsync(Guid id)
    {
        using var response = await rad.Http.DeleteAsync(new Uri(rad.Api, $"/api/notifications/{id}"));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    async Task<List<JsonElement>> DeliveriesAsync(Guid id) =>
        JsonDocument.Parse(await rad.Http.GetStringAsync(new Uri(rad.Api, $"/api/notifications/{id}/deliveries"))).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();

    async Task<List<JsonElement>> DeliveriesUntilAsync(Guid id, Func<List<JsonElement>, bool> done)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var attempts = await DeliveriesAsync(id);
            if (done(attempts))
                return attempts;
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60),
                $"the deliveries of {id} did not get there within 60 s: {string.Join("; ", attempts.Select(a => a.GetRawText()))}\n{rad.Tails()}");
            await Task.Delay(200);
        }
    }

    async Task<(DeploymentView Deployment, TimeSpan Took)> DeployAsync(string prefix, string extraDockerLines)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        var port = IsolatedRad.FreeApplicationPort();
        rad.RemoveAtEnd(name);
        var repository = await rad.PublishRepoAsync(name, Repos.WebApp(name, port, extraDockerLines: extraDockerLines, registry: rad.Registry));
        var id = await rad.DeployAsync(repository);
        output.WriteLine($"deployment {id} of {repository}: {name} on port {port}");
        var deployment = await rad.WaitForEndAsync(id, DeploymentLimit);
        return (deployment, deployment.CompletedAt!.Value - deployment.CreatedAt);
    }
}
