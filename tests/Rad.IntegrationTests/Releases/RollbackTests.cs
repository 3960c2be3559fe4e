using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rad.Contracts;
using Xunit;

namespace Rad.IntegrationTests.Releases;

/// <summary>Revision history, one-command rollback, pins, and all-or-nothing releases, through the whole stack.</summary>
[Collection(nameof(StackCollection))]
public sealed class RollbackTests(Stack stack, Xunit.Abstractions.ITestOutputHelper output)
{
    static Dictionary<string, string> App(string name, int port, string content, string? health = null, string extraDockerLines = "") => new()
    {
        ["rad.json"] = $$"""
            { "applications": [ { "application_name": "{{name}}", "dockerfile": "Dockerfile", "replica_count": 1, "port": {{port}} {{(health is null ? "" : $", \"health\": {health}")}} } ],
              "registry": { "address": "127.0.0.1:5000/it" } }
            """,
        ["Dockerfile"] = $"""
            FROM rad/busybox:local
            COPY www /www
            {extraDockerLines}
            CMD ["sh", "-c", "exec httpd -f -p {port} -h /www"]
            """,
        ["www/index.html"] = content,
        ["www/healthz"] = "ok",
    };

    async Task<string> ContentAsync(int port) => (await stack.Http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim();

    async Task<JsonElement> PostAsync(string path, object body, HttpStatusCode expected)
    {
        using var response = await stack.Http.PostAsJsonAsync(new Uri(stack.Api, path), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    async Task<List<RevisionView>> HistoryAsync(string name) =>
        (await stack.Http.GetFromJsonAsync<List<RevisionView>>(new Uri(stack.Api, $"/api/applications/{name}/revisions?cluster=local"), Stack.Json))!;

    [Fact]
    public async Task Two_commits_then_rollback_answers_the_old_content_without_a_build_and_history_and_applications_agree()
    {
        var name = Stack.UniqueName("rollback");
        var port = Stack.FreePort();
        var repository = await stack.PublishRepoAsync(name, App(name, port, "version one"));
        Assert.Equal("Succeeded", (await stack.WaitForEndAsync(await stack.DeployAsync(repository))).State);
        await stack.AddCommitAsync(name, new Dictionary<string, string> { ["www/index.html"] = "version two" });
        Assert.Equal("Succeeded", (await stack.WaitForEndAsync(await stack.DeployAsync(repository))).State);
        Assert.Equal("version two", await ContentAsync(port));

        var watch = Stopwatch.StartNew();
        var accepted = await PostAsync($"/api/applications/{name}/rollback", new { cluster = "local", reason = "two is bad", by = "it@test" }, HttpStatusCode.Accepted);
        var acceptedAt = watch.Elapsed;
        var firstOld = await FirstAnswerAsync(port, "version one", TimeSpan.FromSeconds(30));
        var rollback = await stack.WaitForEndAsync(accepted.GetProperty("id").GetGuid());
        var succeededAt = watch.Elapsed;
        var content = await ContentAsync(port);
        var answeredAt = watch.Elapsed;

        Assert.Equal("Succeeded", rollback.State);
        Assert.Equal(1, accepted.GetProperty("revision").GetInt32());
        Assert.Equal("version one", content);
        Assert.True(answeredAt - succeededAt < TimeSpan.FromSeconds(2), $"answered {answeredAt - succeededAt} after the rollback succeeded");
        Assert.DoesNotContain(rollback.Stages, s => s.Name.StartsWith("build", StringComparison.Ordinal) || s.Name.StartsWith("clone", StringComparison.Ordinal));
        output.WriteLine($"rollback of {name}: accepted after {acceptedAt.TotalMilliseconds:0} ms, old content first answered {firstOld.TotalMilliseconds:0} ms " +
                         $"after the 202, deployment Succeeded seen {succeededAt.TotalMilliseconds:0} ms after it");

        var history = await HistoryAsync(name);
        Assert.Equal([3, 2, 1], history.Select(r => r.Revision));
        Assert.Equal(history[2].Commit, history[0].Commit);
        Assert.Equal(history[2].Image, history[0].Image);
        Assert.StartsWith("rollback to revision 1: two is bad", history[0].Note);
        Assert.True(history[0].Current);
        var apps = (await stack.Http.GetFromJsonAsync<List<ApplicationStatusView>>(new Uri(stack.Api, "/api/applications?cluster=local"), Stack.Json))!;
        var app = apps.Single(a => a.Name == name);
        Assert.Equal((3, history[0].Commit, history[0].Image), (app.Revision, app.Commit, app.Image));
        Assert.Equal(new ReplicaCounts(1, 1, 1), app.Replicas);
        Assert.Equal(("it@test", "two is bad"), (app.Pin!.PinnedBy, app.Pin.Reason));
    }

    [Fact]
    public async Task A_rollback_pins_the_application_until_unpinned_or_forced()
    {
        var name = Stack.UniqueName("pin");
        var port = Stack.FreePort();
        var repository = await stack.PublishRepoAsync(name, App(name, port, "one"));
        await stack.WaitForEndAsync(await stack.DeployAsync(repository));
        await stack.AddCommitAsync(name, new Dictionary<string, string> { ["www/index.html"] = "two" });
        await stack.WaitForEndAsync(await stack.DeployAsync(repository));
        var rollback = await PostAsync($"/api/applications/{name}/rollback", new { revision = 1 }, HttpStatusCode.Accepted);
        Assert.Equal("Succeeded", (await stack.WaitForEndAsync(rollback.GetProperty("id").GetGuid())).State);

        await stack.AddCommitAsync(name, new Dictionary<string, string> { ["www/index.html"] = "three" });
        var skipped = await stack.WaitForEndAsync(await stack.DeployAsync(repository));
        Assert.Equal("Succeeded", skipped.State);
        Assert.StartsWith("skipped: pinned at revision 3 by api", skipped.Applications.Single().Note);
        Assert.Equal("one", await ContentAsync(port));

        var forced = await PostAsync("/api/deployments", new { repository, force = true }, HttpStatusCode.Accepted);
        Assert.Equal("Succeeded", (await stack.WaitForEndAsync(forced.GetProperty("id").GetGuid())).State);
        Assert.Equal("three", await ContentAsync(port));
        var apps = (await stack.Http.GetFromJsonAsync<List<ApplicationStatusView>>(new Uri(stack.Api, "/api/applications?cluster=local"), Stack.Json))!;
        Assert.Null(apps.Single(a => a.Name == name).Pin);

        await PostAsync($"/api/applications/{name}/rollback", new { }, HttpStatusCode.Accepted);
        await Until(async () => (await stack.Http.GetFromJsonAsync<List<ApplicationStatusView>>(new Uri(stack.Api, "/api/applications?cluster=local"), Stack.Json))!
            .Single(a => a.Name == name).Pin is not null);
        await PostAsync($"/api/applications/{name}/unpin", new { by = "it@test" }, HttpStatusCode.OK);
        await stack.AddCommitAsync(name, new Dictionary<string, string> { ["www/index.html"] = "four" });
        Assert.Equal("Succeeded", (await stack.WaitForEndAsync(await stack.DeployAsync(repository))).State);
        Assert.Equal("four", await ContentAsync(port));
    }

    [Fact]
    public async Task A_two_application_release_whose_second_application_fails_leaves_the_first_on_its_previous_revision()
    {
        var first = Stack.UniqueName("rel-a");
        var second = Stack.UniqueName("rel-b");
        var (firstPort, secondPort) = (Stack.FreePort(), Stack.FreePort());
        var files = new Dictionary<string, string>
        {
            ["rad.json"] = $$"""
                { "applications": [
                    { "application_name": "{{first}}", "dockerfile": "a/Dockerfile", "context": "a", "replica_count": 1, "port": {{firstPort}} },
                    { "application_name": "{{second}}", "dockerfile": "b/Dockerfile", "context": "b", "replica_count": 1, "port": {{secondPort}},
                      "health": {"path": "/healthz", "interval": "500ms", "successes": 2} } ],
                  "registry": { "address": "127.0.0.1:5000/it" } }
                """,
            ["a/Dockerfile"] = $"FROM rad/busybox:local\nCOPY www /www\nCMD [\"sh\", \"-c\", \"exec httpd -f -p {firstPort} -h /www\"]\n",
            ["a/www/index.html"] = "a one",
            ["b/Dockerfile"] = $"FROM rad/busybox:local\nCOPY www /www\nCMD [\"sh\", \"-c\", \"exec httpd -f -p {secondPort} -h /www\"]\n",
            ["b/www/index.html"] = "b one",
            ["b/www/healthz"] = "ok",
        };
        var repository = await stack.PublishRepoAsync(first, files);
        Assert.Equal("Succeeded", (await stack.WaitForEndAsync(await stack.DeployAsync(repository))).State);

        // The second application's new version has no /healthz: it starts, but never passes its health check.
        await CommitAsync(first, new Dictionary<string, string> { ["a/www/index.html"] = "a two", ["b/www/index.html"] = "b two" }, deleted: "b/www/healthz");
        var failed = await stack.WaitForEndAsync(await stack.DeployAsync(repository), TimeSpan.FromMinutes(4));

        Assert.Equal("Failed", failed.State);
        Assert.StartsWith($"deploy application[{second}]: ", failed.Error);
        Assert.EndsWith($"{first} restored to revision 1", failed.Error);
        Assert.Equal("a one", await ContentAsync(firstPort));
        Assert.Equal("b one", await ContentAsync(secondPort));
        Assert.Equal(StageStates.Completed, failed.Stages.Single(s => s.Name == $"restore application[{first}]").State);
        var history = await HistoryAsync(first);
        Assert.Equal(["restored", "succeeded", "succeeded"], history.Select(r => r.Outcome));
        Assert.Equal(history[2].Image, history[0].Image);
    }

    [Fact]
    public async Task Rolling_back_to_an_image_gone_from_the_registry_fails_saying_so_and_bad_requests_are_refused()
    {
        var name = Stack.UniqueName("gone");
        var port = Stack.FreePort();
        var repository = await stack.PublishRepoAsync(name, App(name, port, "one"));
        await stack.WaitForEndAsync(await stack.DeployAsync(repository));
        await stack.AddCommitAsync(name, new Dictionary<string, string> { ["www/index.html"] = "two" });
        await stack.WaitForEndAsync(await stack.DeployAsync(repository));
        var first = (await HistoryAsync(name)).Single(r => r.Revision == 1);
        var digest = first.Image.Split('@')[1];
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"http://127.0.0.1:5000/v2/it/{name}/manifests/{digest}"))
            Assert.Equal(HttpStatusCode.Accepted, (await stack.Http.SendAsync(delete)).StatusCode);

        var accepted = await PostAsync($"/api/applications/{name}/rollback", new { revision = 1 }, HttpStatusCode.Accepted);
        var failed = await stack.WaitForEndAsync(accepted.GetProperty("id").GetGuid());

        Assert.Equal("Failed", failed.State);
        Assert.Contains($"image {first.Image} is gone from the registry", failed.Error);
        Assert.Equal("two", await ContentAsync(port));
        var unknown = await PostAsync($"/api/applications/it-no-such-app/rollback", new { }, HttpStatusCode.NotFound);
        Assert.Contains("RAD has never deployed an application named 'it-no-such-app' on cluster local", unknown.GetProperty("detail").GetString());
        var current = await PostAsync($"/api/applications/{name}/rollback", new { revision = 2 }, HttpStatusCode.Conflict);
        Assert.Equal($"revision 2 is what {name} runs now", current.GetProperty("detail").GetString());
        var invalid = await PostAsync($"/api/applications/{name}/rollback", new { revision = "x" }, HttpStatusCode.BadRequest);
        Assert.Contains("revision must be a whole number", invalid.GetRawText());
    }

    /// <summary>Commits changed and deleted files on top of branch main of a repository published earlier.</summary>
    async Task CommitAsync(string name, Dictionary<string, string> files, string deleted)
    {
        var work = Directory.CreateTempSubdirectory("rad-it-release-");
        try
        {
            await Stack.RunAsync("git", "clone", "-q", Path.Combine(stack.State, "git", $"{name}.git"), work.FullName);
            foreach (var (path, content) in files)
                await File.WriteAllTextAsync(Path.Combine(work.FullName, path), content);
            File.Delete(Path.Combine(work.FullName, deleted));
            await Stack.RunAsync("git", "-C", work.FullName, "add", "-A");
            await Stack.RunAsync("git", "-C", work.FullName, "-c", "user.name=rad", "-c", "user.email=rad@localhost", "commit", "-q", "-m", "next");
            await Stack.RunAsync("git", "-C", work.FullName, "push", "-q", "origin", "main");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>How long after the stopwatch's start the port first answered <paramref name="content"/> (asked every 20 ms).</summary>
    async Task<TimeSpan> FirstAnswerAsync(int port, string content, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            try
            {
                if (await ContentAsync(port) == content)
                    return watch.Elapsed;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"port {port} did not answer \"{content}\" within {limit.TotalSeconds:0} s");
    }

    static async Task Until(Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(60))
                throw new TimeoutException("condition not met within 60 s");
            await Task.Delay(200);
        }
    }
}
