using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Rad.IntegrationTests;

[Collection(nameof(StackCollection))]
public sealed class PipelineTests(Stack stack)
{
    [Fact]
    public async Task Sample_repository_deploys_and_each_application_answers_with_its_own_content()
    {
        var repository = (await stack.ScriptAsync("publish-repo", Path.Combine(stack.Root, "samples", "sample-repo"), "sample")).Trim();
        // The sample's applications belong to the repository that first deployed them. Where something else took them
        // over on this machine (a benchmark stopped before it handed them back, a person's own repository), this test
        // takes them back with a recorded transfer: 200 transferred, 404 never deployed here, 409 already the sample's.
        foreach (var application in new[] { "sample-app-1", "sample-app-2" })
        {
            using var transfer = await stack.Http.PostAsJsonAsync(new Uri(stack.Api, $"/api/applications/{application}/transfer"),
                new { to = repository, reason = "PipelineTests deploys the sample" });
            Assert.True(transfer.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.Conflict,
                $"transfer of {application}: {(int)transfer.StatusCode} {await transfer.Content.ReadAsStringAsync()}");
        }

        var id = await stack.DeployAsync(repository, "main");
        var deployment = await stack.WaitForEndAsync(id);

        Assert.Equal("Succeeded", deployment.State);
        Assert.Matches("^[0-9a-f]{40}$", deployment.Commit);
        var apps = deployment.Applications.ToDictionary(a => a.Name);
        Assert.Equal("http://127.0.0.1:30000", apps["sample-app-1"].Endpoint);
        Assert.Equal(2, apps["sample-app-2"].RunningReplicas);
        Assert.Matches(@"^127\.0\.0\.1:5000/rad-samples/sample-app-1@sha256:[0-9a-f]{64}$", apps["sample-app-1"].Image);

        Assert.Equal("Hello from sample-app-1", (await stack.Http.GetStringAsync("http://127.0.0.1:30000/")).Trim());
        Assert.Equal("Hello from sample-app-2", (await stack.Http.GetStringAsync("http://127.0.0.1:30001/")).Trim());
        var replicas = new HashSet<string>();
        for (var i = 0; i < 6; i++)
            replicas.Add((await stack.Http.GetStringAsync("http://127.0.0.1:30001/replica.txt")).Trim());
        Assert.Equal(2, replicas.Count);

        var log = await stack.LogAsync(id);
        Assert.Matches(@"^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\]: \[IN PROGRESS\]: clone user git repository", log);
        Assert.Contains("[COMPLETED]: deploy application[sample-app-2]", log);
        Assert.Matches(@"time taken: \d+\.\d{6} seconds\n$", log);
    }

    [Fact]
    public async Task Redeploying_a_new_commit_rolls_out_the_new_content()
    {
        var name = Stack.UniqueName("roll");
        var port = Stack.FreePort();
        var repository = await stack.PublishRepoAsync(name, Repos.WebApp(name, port, greeting: "version one"));
        Assert.Equal("Succeeded", (await stack.WaitForEndAsync(await stack.DeployAsync(repository))).State);
        Assert.Equal("version one", (await stack.Http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());

        await stack.PublishRepoAsync(name, Repos.WebApp(name, port, greeting: "version two"));
        var second = await stack.WaitForEndAsync(await stack.DeployAsync(repository));

        Assert.Equal("Succeeded", second.State);
        Assert.Equal("version two", (await stack.Http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());
    }

    [Fact]
    public async Task Api_answers_bad_requests_with_problem_details_naming_the_field()
    {
        using var missing = await stack.Http.PostAsJsonAsync(new Uri(stack.Api, "/api/deployments"), new { @ref = "main" });
        Assert.Equal(400, (int)missing.StatusCode);
        var problem = await missing.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("repository is required", problem.GetProperty("errors").GetProperty("repository")[0].GetString());

        using var malformed = await stack.Http.PostAsync(new Uri(stack.Api, "/api/deployments"), new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)malformed.StatusCode);

        using var scheme = await stack.Http.PostAsJsonAsync(new Uri(stack.Api, "/api/deployments"), new { repository = "http://example.com/r.git", cluster = "Bad Name" });
        var errors = (await scheme.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("repository", out _));
        Assert.True(errors.TryGetProperty("cluster", out _));

        using var unknown = await stack.Http.GetAsync(new Uri(stack.Api, $"/api/deployments/{Guid.NewGuid()}"));
        Assert.Equal(404, (int)unknown.StatusCode);

        using var limit = await stack.Http.GetAsync(new Uri(stack.Api, "/api/deployments?limit=0"));
        Assert.Equal(400, (int)limit.StatusCode);
    }

    [Fact]
    public async Task List_shows_the_latest_deployments_newest_first()
    {
        var first = await stack.DeployAsync("git://127.0.0.1:9418/" + Stack.UniqueName("missing") + ".git");
        var second = await stack.DeployAsync("git://127.0.0.1:9418/" + Stack.UniqueName("missing") + ".git");

        var latest = await stack.Http.GetFromJsonAsync<JsonElement>(new Uri(stack.Api, "/api/deployments?limit=2"));

        Assert.Equal([second, first], latest.EnumerateArray().Select(d => d.GetProperty("id").GetGuid()));
        await stack.WaitForEndAsync(first);
        await stack.WaitForEndAsync(second);
    }

    [Fact]
    public async Task Accepted_request_answers_as_pending_until_the_saga_picks_it_up()
    {
        // What POST records before it publishes; with no RequestDeployment published, the saga never picks it up.
        var id = Guid.NewGuid();
        await Stack.RunAsync("psql", "postgresql://rad:rad@127.0.0.1/rad", "-qc",
            $"INSERT INTO deployment_requests (id, repository, ref, config_path, cluster, requested_at) VALUES ('{id}', 'git://127.0.0.1:9418/p.git', 'main', 'rad.json', 'local', now())");

        var deployment = await stack.GetAsync(id);

        Assert.Equal("Pending", deployment.State);
        Assert.Equal("git://127.0.0.1:9418/p.git", deployment.Repository);
        Assert.Equal("main", deployment.Ref);
        Assert.Empty(deployment.Stages);
        Assert.Equal("", await stack.LogAsync(id));
        // Nothing would ever take it: it goes, rather than stay Pending at the top of every later list.
        await Stack.RunAsync("psql", "postgresql://rad:rad@127.0.0.1/rad", "-qc", $"DELETE FROM deployment_requests WHERE id = '{id}'");
    }
}
