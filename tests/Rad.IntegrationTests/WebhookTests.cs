using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rad.Contracts;
using Xunit;

namespace Rad.IntegrationTests;

/// <summary>The webhook service as GitHub, GitLab and Gitea call it (headers and payloads as their documentation gives them).</summary>
[Collection(nameof(StackCollection))]
public sealed class WebhookTests(Stack stack)
{
    [Fact]
    public async Task Signed_github_push_deploys_the_pushed_commit_not_the_branch_head()
    {
        var name = Stack.UniqueName("hook");
        var port = Stack.FreePort();
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, port, greeting: "first commit"));
        var pushed = await stack.CommitOfAsync(name);
        var head = await stack.AddCommitAsync(name, new Dictionary<string, string> { ["www/index.html"] = "second commit" });
        Assert.NotEqual(pushed, head);

        using var response = await PostAsync("github", GitHubPush(url, "refs/heads/main", pushed), Guid.NewGuid().ToString(), sign: true);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var deployment = await WaitUntilKnownThenEndAsync(id);
        Assert.True(deployment.State == "Succeeded", await stack.LogAsync(id));
        Assert.Equal(pushed, deployment.Commit);
        using var http = new HttpClient();
        Assert.Equal("first commit", (await http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());
    }

    [Fact]
    public async Task Forged_and_missing_signatures_get_401_and_start_nothing()
    {
        var url = $"git://127.0.0.1:9418/{Stack.UniqueName("forged")}.git";
        var body = GitHubPush(url, "refs/heads/main", new string('a', 40));

        using var forged = await PostAsync("github", body, Guid.NewGuid().ToString(), signature: "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("not the secret"u8.ToArray(), body)));
        using var missing = await PostAsync("github", body, Guid.NewGuid().ToString(), sign: false);
        using var gitlab = await PostAsync("gitlab", GitLabPush(url, "refs/heads/main", new string('a', 40)), Guid.NewGuid().ToString(), signature: "wrong token");
        using var gitea = await PostAsync("gitea", body, Guid.NewGuid().ToString(), signature: new string('0', 64));

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, gitlab.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, gitea.StatusCode);
        Assert.Contains("X-Hub-Signature-256", await missing.Content.ReadAsStringAsync());
        // A deployment would show up within milliseconds; give it half a second to be sure none does.
        await Task.Delay(500);
        Assert.Equal(0, await CountOfRepositoryAsync(url));
    }

    [Fact]
    public async Task Redelivered_hook_names_the_same_deployment_and_creates_nothing_new()
    {
        var name = Stack.UniqueName("redeliver-hook");
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, Stack.FreePort()));
        var commit = await stack.CommitOfAsync(name);
        var delivery = Guid.NewGuid().ToString();
        var body = GitHubPush(url, "refs/heads/main", commit);

        using var first = await PostAsync("github", body, delivery, sign: true);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await WaitUntilKnownThenEndAsync(id);
        var before = await CountOfRepositoryAsync(url);
        using var again = await PostAsync("github", body, delivery, sign: true);
        await Task.Delay(1000);

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(id, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        Assert.Equal(1, before);
        Assert.Equal(before, await CountOfRepositoryAsync(url));
        Assert.Equal("Succeeded", (await stack.GetAsync(id)).State);
    }

    [Fact]
    public async Task Ping_other_events_deletions_and_other_branches_deploy_nothing()
    {
        var url = "git://127.0.0.1:9418/never-cloned.git";
        using var ping = await PostAsync("github", """{"zen":"Keep it logically awesome.","hook_id":1}"""u8.ToArray(), Guid.NewGuid().ToString(), sign: true, eventName: "ping");
        using var issues = await PostAsync("github", """{"action":"opened"}"""u8.ToArray(), Guid.NewGuid().ToString(), sign: true, eventName: "issues");
        using var deletion = await PostAsync("github", GitHubPush(url, "refs/heads/main", new string('0', 40)), Guid.NewGuid().ToString(), sign: true);
        using var feature = await PostAsync("github", GitHubPush(url, "refs/heads/feature/x", new string('b', 40)), Guid.NewGuid().ToString(), sign: true);
        using var tag = await PostAsync("gitea", GitHubPush(url, "refs/tags/v1", new string('c', 40)), Guid.NewGuid().ToString(), sign: true);

        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, issues.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, deletion.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, feature.StatusCode);
        Assert.Contains("ignored", await issues.Content.ReadAsStringAsync());
        Assert.Contains("deleted", await deletion.Content.ReadAsStringAsync());
        Assert.Contains("branch 'feature/x' is not deployed", await feature.Content.ReadAsStringAsync());
        Assert.Contains("not a branch", await tag.Content.ReadAsStringAsync());
        foreach (var response in new[] { issues, deletion, feature, tag })
            Assert.False((await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("id", out _));
        await Task.Delay(500);
        Assert.Equal(0, await CountOfRepositoryAsync(url));
    }

    [Fact]
    public async Task Gitlab_and_gitea_pushes_deploy_with_their_own_signatures()
    {
        var name = Stack.UniqueName("hook-hosts");
        var url = await stack.PublishRepoAsync(name, Repos.WebApp(name, Stack.FreePort()));
        var commit = await stack.CommitOfAsync(name);

        using var gitlab = await PostAsync("gitlab", GitLabPush(url, "refs/heads/main", commit), Guid.NewGuid().ToString(), sign: true);
        using var gitea = await PostAsync("gitea", GitHubPush(url, "refs/heads/main", commit), Guid.NewGuid().ToString(), sign: true);

        Assert.Equal(HttpStatusCode.Accepted, gitlab.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, gitea.StatusCode);
        foreach (var response in new[] { gitlab, gitea })
        {
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var deployment = await WaitUntilKnownThenEndAsync(id);
            Assert.True(deployment.State == "Succeeded", await stack.LogAsync(id));
            Assert.Equal(commit, deployment.Commit);
        }
    }

    [Fact]
    public async Task Bodies_over_one_mebibyte_are_refused_with_413()
    {
        var body = Encoding.UTF8.GetBytes("{\"padding\":\"" + new string('x', 1024 * 1024) + "\"}");

        using var response = await PostAsync("github", body, Guid.NewGuid().ToString(), sign: true);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    async Task<HttpResponseMessage> PostAsync(string host, byte[] body, string delivery, bool sign = false, string? signature = null, string eventName = "push")
    {
        var secret = Stack.WebhookSecret;
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(stack.Webhooks, $"/webhooks/{host}")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        var hex = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
        switch (host)
        {
            case "github":
                request.Headers.Add("X-GitHub-Event", eventName);
                request.Headers.Add("X-GitHub-Delivery", delivery);
                if (sign || signature is not null)
                    request.Headers.Add("X-Hub-Signature-256", signature ?? $"sha256={hex}");
                break;
            case "gitlab":
                request.Headers.Add("X-Gitlab-Event", eventName == "push" ? "Push Hook" : eventName);
                request.Headers.Add("X-Gitlab-Event-UUID", delivery);
                if (sign || signature is not null)
                    request.Headers.Add("X-Gitlab-Token", signature ?? secret);
                break;
            case "gitea":
                request.Headers.Add("X-Gitea-Event", eventName);
                request.Headers.Add("X-Gitea-Delivery", delivery);
                if (sign || signature is not null)
                    request.Headers.Add("X-Gitea-Signature", signature ?? hex);
                break;
        }
        using (request)
            return await stack.Http.SendAsync(request);
    }

    /// <summary>A hook's deployment exists once the saga has taken the published request (milliseconds); then wait for its end.</summary>
    async Task<DeploymentView> WaitUntilKnownThenEndAsync(Guid id)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var response = await stack.Http.GetAsync(new Uri(stack.Api, $"/api/deployments/{id}"));
            if (response.StatusCode == HttpStatusCode.OK)
                return await stack.WaitForEndAsync(id);
            await Task.Delay(100);
        }
        throw new TimeoutException($"deployment {id} never appeared");
    }

    async Task<int> CountOfRepositoryAsync(string url)
    {
        var list = await stack.Http.GetFromJsonAsync<DeploymentView[]>(new Uri(stack.Api, "/api/deployments?limit=200"), Stack.Json);
        return list!.Count(d => d.Repository == url);
    }

    // Payload shapes from the GitHub, Gitea (same fields) and GitLab push event documentation, trimmed to what matters.
    static byte[] GitHubPush(string cloneUrl, string @ref, string after) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        @ref,
        before = new string('1', 40),
        after,
        repository = new { full_name = "org/app", clone_url = cloneUrl, default_branch = "main" },
        pusher = new { name = "octocat" },
    });

    static byte[] GitLabPush(string cloneUrl, string @ref, string after) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        object_kind = "push",
        @ref,
        before = new string('1', 40),
        after,
        checkout_sha = after,
        project = new { path_with_namespace = "org/app", git_http_url = cloneUrl, default_branch = "main" },
    });
}
