using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using MassTransit;
using Rad.Contracts;
using Rad.IntegrationTests.Isolated;
using Rad.Status.Saga;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, item 14: a PostgreSQL outage of a minute loses nothing. A deployment posted before it, a request made
/// through the API during it (refused with 503, so the caller knows to try again), a webhook's request published during
/// it, and a build result that arrives during it all end as they would have without the outage, even though the status
/// service is killed in the middle of it; no message of the status service is in an error queue.
/// </summary>
public sealed class HostileDatabaseOutageTests(IsolatedRad rad, ITestOutputHelper output) : IClassFixture<IsolatedRad>
{
    // Long enough that the database stops while the image builds, short enough that the build ends within the outage.
    const int BuildSeconds = 12;
    static readonly TimeSpan Outage = TimeSpan.FromSeconds(60);

    static readonly string[] StatusQueues = ["deployment-state", "deployment-queue", "saga-fault", "deployment-notifier"];

    [Fact]
    public async Task A_60_s_PostgreSQL_outage_loses_no_deployment_request_or_build_result()
    {
        var (before, beforePort, beforeId) = await StartDeploymentAsync("tc-out-a", $"RUN sleep {BuildSeconds} && echo {Guid.NewGuid()} > /built");
        var during = $"tc-out-b-{Guid.NewGuid().ToString("N")[..6]}";
        var duringPort = IsolatedRad.FreeApplicationPort();
        rad.RemoveAtEnd(during);
        var duringRepository = await rad.PublishRepoAsync(during, Repos.WebApp(during, duringPort, registry: rad.Registry));
        await WaitUntilOnlyTheBuildRunsAsync(beforeId, before);

        var outage = Stopwatch.StartNew();
        await rad.Postgres.StopAsync();
        output.WriteLine($"PostgreSQL stopped in {outage.Elapsed.TotalSeconds:0.0} s");

        // The API stores a request before it accepts it: while it cannot, it says so and the caller tries again later.
        var refusals = new List<TimeSpan>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var refusal = Stopwatch.StartNew();
            using var refused = await rad.Http.PostAsJsonAsync(new Uri(rad.Api, "/api/deployments"), new { repository = duringRepository, @ref = "main" });
            refusal.Stop();
            refusals.Add(refusal.Elapsed);
            var body = await refused.Content.ReadAsStringAsync();
            output.WriteLine($"POST /api/deployments {outage.Elapsed.TotalSeconds:0.0} s into the outage: {(int)refused.StatusCode} in {refusal.Elapsed.TotalMilliseconds:0} ms, Retry-After {refused.Headers.RetryAfter}: {body}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Contains("database is unavailable", body, StringComparison.Ordinal);
        }
        output.WriteLine(string.Join('\n', rad.ProcessLog("status").Split('\n').Where(l => l.Contains("answered 503", StringComparison.Ordinal))));
        Assert.All(refusals, r => Assert.True(r < TimeSpan.FromSeconds(1), $"a refusal took {r.TotalMilliseconds:0} ms"));

        // Rad.Webhooks answers 202 once it has published this (it needs no database): the id it answered must come to exist.
        var webhookId = NewId.NextGuid();
        await BrokerProbe.PublishAsync(rad.Rabbit, new RequestDeployment(webhookId, duringRepository, "main", "rad.json", "local", DateTimeOffset.UtcNow, Trigger: "webhook:github"));
        output.WriteLine($"webhook-style request {webhookId} published {outage.Elapsed.TotalSeconds:0.0} s into the outage");

        while (!rad.ProcessLog("builder").Contains($"Built {rad.Registry}/{before}:", StringComparison.Ordinal))
        {
            Assert.True(outage.Elapsed < Outage, $"the build did not finish within the outage\n{rad.Tails()}");
            await Task.Delay(200);
        }
        output.WriteLine($"the build of {before} finished {outage.Elapsed.TotalSeconds:0.0} s into the outage; its ImageBuilt waits for the database");

        // The messages the status service holds while it retries are still RabbitMQ's: killed now, it loses none of them.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var status = StatusProcess.Kill(rad.ServicePorts["status"]);
        output.WriteLine($"status service (pid {status.Pid}) killed with SIGKILL {outage.Elapsed.TotalSeconds:0.0} s into the outage");
        await Task.Delay(Outage - outage.Elapsed);
        await rad.Postgres.StartAsync();
        output.WriteLine($"PostgreSQL was down {outage.Elapsed.TotalSeconds:0.0} s");
        // It refuses to start without its database (it migrates the schema first), so it comes back after it.
        await using var restarted = await status.StartAgainAsync(rad.Http);
        output.WriteLine($"status service started again (pid {restarted.Id}) {outage.Elapsed.TotalSeconds:0.0} s after the outage began");

        var first = await rad.WaitForEndAsync(beforeId, TimeSpan.FromMinutes(5));
        output.WriteLine($"{beforeId} (posted before) ended {first.State} {outage.Elapsed.TotalSeconds:0.0} s after the outage began");
        await AssertSucceededAsync(first, before, beforePort);
        var webhook = await rad.WaitForEndAsync(webhookId, TimeSpan.FromMinutes(5));
        output.WriteLine($"{webhookId} (webhook during) ended {webhook.State} {outage.Elapsed.TotalSeconds:0.0} s after the outage began");
        await AssertSucceededAsync(webhook, during, duringPort);
        Assert.Equal("webhook:github", webhook.Trigger);

        // What the 503 asked for: the same request made again now is accepted and runs.
        var again = await rad.DeployAsync(duringRepository);
        Assert.Equal("Succeeded", (await rad.WaitForEndAsync(again, TimeSpan.FromMinutes(3))).State);

        foreach (var queue in StatusQueues)
            Assert.True(await BrokerProbe.MessagesAsync(rad.Rabbit, $"{queue}_error") == 0, $"{queue}_error holds messages after the outage\n{rad.Tails()}");
    }

    async Task<(string Name, int Port, Guid Id)> StartDeploymentAsync(string prefix, string extraDockerLines)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        var port = IsolatedRad.FreeApplicationPort();
        rad.RemoveAtEnd(name);
        var repository = await rad.PublishRepoAsync(name, Repos.WebApp(name, port, extraDockerLines: extraDockerLines, registry: rad.Registry));
        var id = await rad.DeployAsync(repository);
        output.WriteLine($"deployment {id} of {repository}: {name} on port {port}");
        return (name, port, id);
    }

    /// <summary>The outage must begin while the image builds (so its result arrives during it), or the test proves nothing.</summary>
    async Task WaitUntilOnlyTheBuildRunsAsync(Guid id, string name)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var deployment = await rad.GetAsync(id);
            var build = deployment.Stages.SingleOrDefault(s => s.Name == StageNames.Build(name));
            Assert.True(build?.State is null or StageStates.InProgress, $"the build is no longer running: {string.Join("; ", deployment.Stages.Select(s => $"{s.Name} {s.State}"))}");
            if (build is not null && deployment.Stages.Where(s => s != build).All(s => s.State == StageStates.Completed))
                return;
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"stages did not reach the build: {string.Join("; ", deployment.Stages.Select(s => $"{s.Name} {s.State}"))}");
            await Task.Delay(100);
        }
    }

    async Task AssertSucceededAsync(DeploymentView deployment, string name, int port)
    {
        var log = await rad.LogAsync(deployment.Id);
        Assert.True(deployment.State == "Succeeded", $"deployment {deployment.Id} ended {deployment.State}: {deployment.Error}\n{log}\n{rad.Tails()}");
        Assert.All(deployment.Stages, s => Assert.Equal(StageStates.Completed, s.State));
        var lines = log.Split('\n');
        foreach (var stage in deployment.Stages.Select(s => s.Name))
            Assert.Single(lines, l => l.EndsWith($"]: [COMPLETED]: {stage}", StringComparison.Ordinal));
        Assert.Equal($"Hello from {name}", (await rad.Http.GetStringAsync($"http://{IsolatedRad.EdgeHost}:{port}/")).Trim());
    }
}
