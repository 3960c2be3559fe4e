using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Npgsql;
using Rad.Contracts;
using Rad.IntegrationTests.Isolated;
using Xunit;
using Xunit.Abstractions;

namespace Rad.IntegrationTests.Hostile;

/// <summary>
/// Issue 12, item 19: a signed push cannot be retargeted by its URL (the signature covers only the body) nor replayed to
/// roll an application back: ?cluster= and ?config= that differ from what the server binds are refused naming the
/// parameter, and a push of a commit older than the running one is refused (409) and recorded unless it was forced;
/// one RAD never saw fails after its clone, when its commit's time is known.
/// </summary>
public sealed class HostileWebhookRetargetTests(WebhookRad hooks, ITestOutputHelper output) : IClassFixture<WebhookRad>
{
    IsolatedRad Own => hooks.Rad;

    [Theory]
    [InlineData("?cluster=prod", "cluster", "prod")]
    [InlineData("?config=other/rad.json", "config", "other/rad.json")]
    [InlineData("?config=rad.json&cluster=attacker", "cluster", "attacker")]
    public async Task A_query_that_tries_to_choose_where_a_signed_push_deploys_is_refused_naming_it(string query, string parameter, string value)
    {
        var url = $"git://127.0.0.1:1/retarget-{Guid.NewGuid().ToString("N")[..6]}.git";
        var delivery = Guid.NewGuid().ToString();

        var watch = Stopwatch.StartNew();
        using var response = await hooks.PushAsync(url, new string('a', 40), delivery, query);
        output.WriteLine($"{query}: {(int)response.StatusCode} in {watch.Elapsed.TotalMilliseconds:0} ms");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"answered in {watch.Elapsed.TotalMilliseconds:0} ms");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.StartsWith($"The query parameter {parameter}=\"{value}\" is refused", problem.GetProperty("detail").GetString());
        // The deployment id a hook would start is derived from its delivery: it must not exist.
        await Task.Delay(300);
        Assert.Equal(HttpStatusCode.NotFound, (await Own.Http.GetAsync(new Uri(Own.Api, $"/api/deployments/{DeploymentIdFor(delivery)}"))).StatusCode);
    }

    [Fact]
    public async Task A_replayed_push_of_an_older_commit_is_refused_and_recorded_and_a_forced_one_is_not()
    {
        var name = $"replay-{Guid.NewGuid().ToString("N")[..6]}";
        Own.RemoveAtEnd(name);
        var port = IsolatedRad.FreeApplicationPort();
        var url = await Own.PublishRepoAsync(name, Repos.WebApp(name, port, greeting: "first", registry: Own.Registry));
        var older = await CommitOfAsync(url);
        var firstDelivery = Guid.NewGuid().ToString();
        await DeployByHookAsync(url, older, firstDelivery);

        await Own.PublishRepoAsync(name, Repos.WebApp(name, port, greeting: "second", registry: Own.Registry));
        var newer = await CommitOfAsync(url);
        await DeployByHookAsync(url, newer, Guid.NewGuid().ToString());
        Assert.Equal("second", await AnswerAsync(port));

        foreach (var delivery in (string[])[Guid.NewGuid().ToString(), firstDelivery])
        {
            var watch = Stopwatch.StartNew();
            using var replayed = await hooks.PushAsync(url, older, delivery);
            output.WriteLine($"replay of {older[..12]} (delivery {delivery}): {(int)replayed.StatusCode} in {watch.Elapsed.TotalMilliseconds:0} ms");
            var body = await replayed.Content.ReadAsStringAsync();
            Assert.True(replayed.StatusCode == HttpStatusCode.Conflict, body);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"answered in {watch.Elapsed.TotalMilliseconds:0} ms");
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.StartsWith($"commit {older} is older than commit {newer}, which runs on cluster 'local' for {url}", problem.GetProperty("detail").GetString());
            Assert.Equal(newer, problem.GetProperty("runningCommit").GetString());
        }
        await Task.Delay(500);
        Assert.Equal("second", await AnswerAsync(port));

        await using (var database = NpgsqlDataSource.Create(Own.Postgres.ConnectionString))
        await using (var connection = await database.OpenConnectionAsync())
        {
            var refusals = (await connection.QueryAsync<(string Commit, string RunningCommit, string Reason, string Host)>(
                "SELECT commit, running_commit, reason, host FROM webhook_refusals WHERE repository = @url ORDER BY id", new { url })).ToList();
            Assert.Equal(2, refusals.Count);
            Assert.All(refusals, r => Assert.Equal((older, newer, "github"), (r.Commit, r.RunningCommit, r.Host)));
            Assert.Contains("rad deploy", refusals[0].Reason);
        }

        // A force push moved the branch back on purpose: it is accepted and starts a deployment of that commit.
        using var forced = await hooks.PushAsync(url, older, Guid.NewGuid().ToString(), forced: true);
        Assert.Equal(HttpStatusCode.Accepted, forced.StatusCode);
        var id = (await forced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var deployment = await WaitUntilKnownThenEndAsync(id);
        Assert.Equal(older, deployment.Ref);
    }

    [Fact]
    public async Task A_push_of_an_older_commit_RAD_never_saw_fails_after_its_clone_and_changes_nothing_unless_forced()
    {
        var name = $"unseen-{Guid.NewGuid().ToString("N")[..6]}";
        Own.RemoveAtEnd(name);
        var port = IsolatedRad.FreeApplicationPort();
        var url = await Own.PublishRepoAsync(name, Repos.WebApp(name, port, greeting: "first", registry: Own.Registry));
        // Two commits on top, a day apart; only the newer is ever deployed, so RAD has no record of the older one.
        var older = await Own.AddCommitAsync(name, Repos.WebApp(name, port, greeting: "older", registry: Own.Registry),
            new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        var newer = await Own.AddCommitAsync(name, Repos.WebApp(name, port, greeting: "newer", registry: Own.Registry),
            new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.Zero));
        await DeployByHookAsync(url, newer, Guid.NewGuid().ToString());
        Assert.Equal("newer", await AnswerAsync(port));

        // The synchronous check knows nothing of it: answered 202, then the deployment fails once its clone tells its time.
        using var pushed = await hooks.PushAsync(url, older, Guid.NewGuid().ToString());
        Assert.True(pushed.StatusCode == HttpStatusCode.Accepted, await pushed.Content.ReadAsStringAsync());
        var id = (await pushed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var refused = await WaitUntilKnownThenEndAsync(id);
        output.WriteLine($"push of unseen older {older[..12]}: {refused.State} after {(refused.CompletedAt - refused.CreatedAt)?.TotalMilliseconds:0} ms: {refused.Error}");
        Assert.True(refused.State == "Failed", await Own.LogAsync(id));
        Assert.Equal($"check commit age: commit {older} (committed 2026-11-01 12:00:00Z) is older than commit {newer} " +
                     $"(committed 2026-11-02 12:00:00Z), which runs on cluster 'local' for {url}", refused.Error![..(refused.Error!.IndexOf(" (deployment ", StringComparison.Ordinal))]);
        Assert.DoesNotContain(refused.Stages, s => s.Name.StartsWith("build", StringComparison.Ordinal));
        await Task.Delay(500);
        Assert.Equal("newer", await AnswerAsync(port));

        // Moved back on purpose: a forced push deploys it.
        using var forced = await hooks.PushAsync(url, older, Guid.NewGuid().ToString(), forced: true);
        Assert.Equal(HttpStatusCode.Accepted, forced.StatusCode);
        var deployment = await WaitUntilKnownThenEndAsync((await forced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        Assert.True(deployment.State == "Succeeded", await Own.LogAsync(deployment.Id));
        Assert.Equal("older", await AnswerAsync(port));
    }

    async Task DeployByHookAsync(string url, string commit, string delivery)
    {
        using var response = await hooks.PushAsync(url, commit, delivery);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var deployment = await WaitUntilKnownThenEndAsync(id);
        Assert.True(deployment.State == "Succeeded", await Own.LogAsync(id));
        Assert.Equal(commit, deployment.Commit);
    }

    async Task<DeploymentView> WaitUntilKnownThenEndAsync(Guid id)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var response = await Own.Http.GetAsync(new Uri(Own.Api, $"/api/deployments/{id}"));
            if (response.StatusCode == HttpStatusCode.OK)
                return await Own.WaitForEndAsync(id, TimeSpan.FromMinutes(2));
            await Task.Delay(100);
        }
        throw new TimeoutException($"deployment {id} never appeared\n{hooks.WebhookLog}");
    }

    static async Task<string> CommitOfAsync(string url) =>
        (await Stack.RunAsync("git", "ls-remote", url, "refs/heads/main")).Split('\t')[0].Trim();

    // As the webhook service derives it (WebhookEndpoints.DeploymentIdFor): the same delivery always names the same deployment.
    static Guid DeploymentIdFor(string delivery) =>
        new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"rad-webhook:github:{delivery}")).AsSpan(0, 16));

    async Task<string> AnswerAsync(int port) =>
        (await Own.Http.GetStringAsync($"http://{IsolatedRad.EdgeHost}:{port}/")).Trim();
}
