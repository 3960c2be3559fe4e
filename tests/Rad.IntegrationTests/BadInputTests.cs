using Xunit;

namespace Rad.IntegrationTests;

/// <summary>Each kind of bad input ends its deployment with a specific reason, and the stack keeps deploying good ones.</summary>
[Collection(nameof(StackCollection))]
public sealed class BadInputTests(Stack stack)
{
    async Task<string> FailureOf(string repository, string? @ref = null)
    {
        var deployment = await stack.WaitForEndAsync(await stack.DeployAsync(repository, @ref));
        Assert.Equal("Failed", deployment.State);
        return deployment.Error!;
    }

    [Fact]
    public async Task Malformed_rad_json_fails_naming_the_file_and_the_json_path()
    {
        var name = Stack.UniqueName("badcfg");
        var files = Repos.WebApp(name, Stack.FreePort());
        files["rad.json"] = files["rad.json"].Replace("\"replica_count\": 1", "\"replica_count\": 500");

        var error = await FailureOf(await stack.PublishRepoAsync(name, files));

        Assert.StartsWith("clone user git repository: rad.json is invalid: applications[0].replica_count must be between 0 and 100 (found 500)", error);
    }

    [Fact]
    public async Task Rad_json_that_is_not_json_fails_naming_the_file()
    {
        var name = Stack.UniqueName("notjson");
        var files = Repos.WebApp(name, Stack.FreePort());
        files["rad.json"] = "{ \"applications\": [";

        var error = await FailureOf(await stack.PublishRepoAsync(name, files));

        Assert.Contains("rad.json is invalid: is not valid JSON", error);
    }

    [Fact]
    public async Task Missing_dockerfile_fails_naming_it()
    {
        var name = Stack.UniqueName("nodf");
        var files = Repos.WebApp(name, Stack.FreePort());
        files["rad.json"] = files["rad.json"].Replace("\"dockerfile\": \"Dockerfile\"", "\"dockerfile\": \"docker/Dockerfile.prod\"");

        var error = await FailureOf(await stack.PublishRepoAsync(name, files));

        Assert.Contains("applications[0].dockerfile 'docker/Dockerfile.prod' does not exist in the repository", error);
    }

    [Fact]
    public async Task Repository_that_does_not_exist_fails_with_gits_reason()
    {
        var error = await FailureOf($"git://127.0.0.1:9418/{Stack.UniqueName("nothere")}.git");

        Assert.Matches(@"^clone user git repository: git could not clone git://127\.0\.0\.1:9418/it-nothere-\w+\.git: remote error: .*not exported", error);
    }

    [Fact]
    public async Task Ref_that_does_not_exist_fails_naming_the_ref()
    {
        var name = Stack.UniqueName("noref");
        var repository = await stack.PublishRepoAsync(name, Repos.WebApp(name, Stack.FreePort()));

        var error = await FailureOf(repository, "release-9");

        Assert.Contains("ref 'release-9' was not found in git://127.0.0.1:9418/", error);
    }

    [Fact]
    public async Task Commit_sha_ref_deploys_that_exact_commit()
    {
        var name = Stack.UniqueName("sha");
        var port = Stack.FreePort();
        var repository = await stack.PublishRepoAsync(name, Repos.WebApp(name, port));
        var sha = await stack.CommitOfAsync(name);

        var deployment = await stack.WaitForEndAsync(await stack.DeployAsync(repository, sha));

        Assert.Equal("Succeeded", deployment.State);
        Assert.Equal(sha, deployment.Commit);
    }

    [Fact]
    public async Task Failing_build_step_reports_the_step_and_the_last_output()
    {
        var name = Stack.UniqueName("badbuild");
        var files = Repos.WebApp(name, Stack.FreePort(), extraDockerLines: "RUN echo preparing-the-frobnicator && exit 3");

        var error = await FailureOf(await stack.PublishRepoAsync(name, files));

        Assert.Matches(@$"^build docker image\[{name}\]: docker build of Dockerfile failed at Step 3/\d+ : RUN echo preparing-the-frobnicator && exit 3: ", error);
        Assert.Contains("returned a non-zero code: 3", error);
        Assert.EndsWith("Last output: preparing-the-frobnicator", error);
    }

    [Fact]
    public async Task Containers_that_exit_at_once_fail_the_deployment_with_the_engines_reason()
    {
        var name = Stack.UniqueName("exits");
        // The entrypoint takes the image's CMD as its arguments and exits before serving anything.
        var files = Repos.WebApp(name, Stack.FreePort(), extraDockerLines: """ENTRYPOINT ["sh", "-c", "echo exiting on purpose; exit 3"]""");

        var error = await FailureOf(await stack.PublishRepoAsync(name, files));

        Assert.Matches(@$"^deploy application\[{name}\]: {name}'s containers keep failing \(\d+ failed starts\); the engine says: task: non-zero exit \(3\)$", error);
    }

    [Fact]
    public async Task Port_taken_by_another_application_fails_and_a_good_deployment_still_succeeds()
    {
        var port = Stack.FreePort();
        var owner = Stack.UniqueName("owner");
        var ownerRepository = await stack.PublishRepoAsync(owner, Repos.WebApp(owner, port));
        Assert.Equal("Succeeded", (await stack.WaitForEndAsync(await stack.DeployAsync(ownerRepository))).State);

        var intruder = Stack.UniqueName("intruder");
        var error = await FailureOf(await stack.PublishRepoAsync(intruder, Repos.WebApp(intruder, port)));

        Assert.StartsWith($"deploy application[{intruder}]: port {port} is already taken by application '{owner}'", error);
        Assert.Equal($"Hello from {owner}", (await stack.Http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());

        var good = Stack.UniqueName("good");
        var goodPort = Stack.FreePort();
        var deployment = await stack.WaitForEndAsync(await stack.DeployAsync(await stack.PublishRepoAsync(good, Repos.WebApp(good, goodPort))));
        Assert.Equal("Succeeded", deployment.State);
        Assert.Equal($"Hello from {good}", (await stack.Http.GetStringAsync($"http://127.0.0.1:{goodPort}/")).Trim());
    }

    [Fact]
    public async Task Port_used_by_a_process_outside_rad_fails_the_deployment()
    {
        var port = Stack.FreePort();
        using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        squatter.Start();
        var name = Stack.UniqueName("squat");

        var error = await FailureOf(await stack.PublishRepoAsync(name, Repos.WebApp(name, port)));

        Assert.Contains($"port {port} is already in use on 127.0.0.1 by a process that RAD did not start", error);
    }

    [Fact]
    public async Task Unknown_cluster_fails_naming_the_known_ones()
    {
        using var response = await stack.Http.PostAsync(new Uri(stack.Api, "/api/deployments"), System.Net.Http.Json.JsonContent.Create(new
        {
            repository = "git://127.0.0.1:9418/sample.git",
            cluster = "production",
        }));
        var id = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(response.Content)).GetProperty("id").GetGuid();

        var deployment = await stack.WaitForEndAsync(id);

        var error = deployment.Error!;
        Assert.StartsWith("provision cluster[production]: cluster 'production' is not known to this installation; the clusters it can deploy to are: local", error);
        Assert.EndsWith("(register one with rad clusters add)", error);
    }

    [Fact]
    public async Task Credentials_in_a_repository_url_appear_in_no_status_log_or_error()
    {
        const string secret = "s3cr3t-token-4711";
        var id = await stack.DeployAsync($"https://bot:{secret}@127.0.0.1:1/{Stack.UniqueName("secret")}.git");
        var deployment = await stack.WaitForEndAsync(id);

        Assert.Equal("Failed", deployment.State);
        // User info is stripped before the request is stored (issue 12, item 17); the cloner, which was handed the
        // credentials sealed, says it used some without showing them.
        Assert.StartsWith("https://127.0.0.1:1/", deployment.Repository);
        Assert.Contains("git could not clone https://***@127.0.0.1:1/", deployment.Error);
        Assert.DoesNotContain(secret, await stack.GetRawAsync(id));
        Assert.DoesNotContain(secret, await stack.LogAsync(id));
        Assert.DoesNotContain(secret, await stack.Http.GetStringAsync(new Uri(stack.Api, "/api/deployments?limit=5")));
        foreach (var log in Directory.GetFiles(Path.Combine(stack.State, "logs"), "*.log"))
            Assert.DoesNotContain(secret, await File.ReadAllTextAsync(log));
    }

    [Fact]
    public async Task Concurrent_deployments_do_not_interfere_and_a_failing_one_harms_none()
    {
        var good = Enumerable.Range(0, 2).Select(_ => (Name: Stack.UniqueName("par"), Port: Stack.FreePort())).ToList();
        var bad = Stack.UniqueName("parbad");
        var repositories = new List<string>();
        foreach (var (name, port) in good)
            repositories.Add(await stack.PublishRepoAsync(name, Repos.WebApp(name, port)));
        var badRepository = await stack.PublishRepoAsync(bad, Repos.WebApp(bad, Stack.FreePort(), extraDockerLines: "RUN exit 1"));

        var ids = await Task.WhenAll(repositories.Append(badRepository).Select(r => stack.DeployAsync(r)));
        var results = await Task.WhenAll(ids.Select(id => stack.WaitForEndAsync(id)));

        Assert.Equal(["Succeeded", "Succeeded", "Failed"], results.Select(r => r.State));
        Assert.StartsWith($"build docker image[{bad}]:", results[2].Error);
        foreach (var (name, port) in good)
            Assert.Equal($"Hello from {name}", (await stack.Http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim());
    }
}
